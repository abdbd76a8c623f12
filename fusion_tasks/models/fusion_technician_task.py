import math
import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from itertools import pairwise

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, format_list

from ..lib import availability, time_labels

TASK_TYPES = [
    ("maintenance", "Maintenance"),
    ("repair", "Repair"),
    ("delivery", "Delivery"),
    ("other", "Other"),
]
TASK_STATES = [
    ("scheduled", "Scheduled"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
DEFAULT_TRAVEL_BUFFER_MINUTES = 30
DEFAULT_COMPANY_TZ = "America/Toronto"
# "Key (technician_id, tsrange(...))=(7, [...)) conflicts with existing key (...)"
_OVERLAP_DETAIL_RE = re.compile(r"\)=\((\d+),")


def _overlap_message(env, diag=None):
    """Readable message for the exclusion constraint, naming the technician."""
    match = diag and diag.message_detail and _OVERLAP_DETAIL_RE.search(diag.message_detail)
    return _overlap_message_for(env, int(match.group(1)) if match else None)


def _overlap_message_for(env, technician_id):
    technician = env["res.users"].browse(technician_id).sudo().exists() if technician_id else None
    if technician:
        return env._("%(technician)s already has a task at that time.", technician=technician.name)
    return env._("The technician already has a task at that time.")


def _naive_utc(timestamp):
    """Odoo's naive UTC datetime of a POSIX timestamp."""
    return datetime.fromtimestamp(timestamp, availability.UTC).replace(tzinfo=None)


# planned by dispatchers; the technician reassignment has its own check below
SCHEDULING_FIELDS = frozenset({"partner_id", "scheduled_start", "scheduled_end", "duration", "task_type"})


class FusionTechnicianTask(models.Model):
    _name = "fusion.technician.task"
    _description = "Technician Task"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "scheduled_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id"]

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, index="trigram", default=lambda self: self.env._("New")
    )
    task_type = fields.Selection(TASK_TYPES, "Type", required=True, default="other", tracking=True)
    technician_id = fields.Many2one(
        "res.users",
        "Technician",
        required=True,
        index=True,
        tracking=True,
        domain="[('x_fc_is_technician', '=', True), ('share', '=', False)]",
        default=lambda self: self.env.user if self.env.user.x_fc_is_technician else False,
    )
    partner_id = fields.Many2one("res.partner", "Client", tracking=True, index="btree_not_null", check_company=True)
    partner_street = fields.Char(related="partner_id.street", string="Street")
    partner_street2 = fields.Char(related="partner_id.street2", string="Street 2")
    partner_city = fields.Char(related="partner_id.city", string="City")
    partner_state_id = fields.Many2one(related="partner_id.state_id", string="Province")
    partner_zip = fields.Char(related="partner_id.zip", string="Postal Code")
    partner_country_id = fields.Many2one(related="partner_id.country_id", string="Country")
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_email = fields.Char(related="partner_id.email", string="Email")
    scheduled_start = fields.Datetime("Start", required=True, tracking=True, index=True)
    scheduled_end = fields.Datetime("End", required=True, tracking=True)
    duration = fields.Float(
        "Duration", compute="_compute_duration", inverse="_inverse_duration", help="Planned duration in hours."
    )
    state = fields.Selection(
        TASK_STATES, "Status", required=True, default="scheduled", readonly=True, copy=False, tracking=True, index=True
    )
    calendar_event_id = fields.Many2one(
        "calendar.event", "Calendar Event", copy=False, index="btree_not_null", ondelete="set null"
    )
    notes = fields.Html()
    company_id = fields.Many2one(
        "res.company", "Company", required=True, index=True, default=lambda self: self.env.company
    )
    can_edit_schedule = fields.Boolean(
        compute="_compute_can_edit_schedule",
        help="Dispatchers plan tasks: client, time, technician and type are read-only for the others.",
    )

    _check_schedule = models.Constraint("CHECK ((scheduled_end > scheduled_start))", "A task must end after it starts.")
    # The real guarantee, also under concurrent transactions: never two
    # non-cancelled tasks of one technician overlapping (touching is fine, the
    # ranges are half-open). Written as PostgreSQL prints it back, so that a
    # module update does not rebuild it.
    _technician_no_overlap = models.Constraint(
        "EXCLUDE USING gist (technician_id WITH =, tsrange(scheduled_start, scheduled_end) WITH &&) "
        "WHERE (((state)::text <> 'cancelled'::text))",
        _overlap_message,
    )

    def init(self):
        super().init()
        # Also for databases where the module was installed before the
        # extension existed (the pre-init hook covers a fresh install).
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_can_edit_schedule(self):
        allowed = self.env.su or self.env.user.has_group("fusion_tasks.group_fusion_dispatcher")
        for task in self:
            task.can_edit_schedule = allowed

    @api.depends("scheduled_start", "scheduled_end")
    def _compute_duration(self):
        for task in self:
            if task.scheduled_start and task.scheduled_end:
                task.duration = (task.scheduled_end - task.scheduled_start).total_seconds() / 3600
            else:
                task.duration = 0.0

    def _inverse_duration(self):
        for task in self:
            if task.scheduled_start and task.duration > 0:
                task.scheduled_end = task.scheduled_start + timedelta(hours=task.duration)

    @api.onchange("scheduled_start")
    def _onchange_scheduled_start_keep_duration(self):
        """Moving the start in the form moves the end too: the task keeps the length shown
        in the form (a new task without an end gets one hour)."""
        form_hours = self.env.context.get("fusion_form_duration")
        for task in self:
            if not task.scheduled_start:
                continue
            if form_hours and form_hours > 0:
                length = timedelta(seconds=round(form_hours * 3600))
            elif task._origin.scheduled_start and task._origin.scheduled_end:
                length = task._origin.scheduled_end - task._origin.scheduled_start
            elif task.scheduled_end and task.scheduled_end > task.scheduled_start:
                continue
            else:
                length = timedelta(hours=1)
            task.scheduled_end = task.scheduled_start + length

    # Odoo runs the onchange methods of a field in the order of their names: this one comes
    # after ``_onchange_scheduled_start_keep_duration``, so a new start is checked together
    # with the end that moved along (the end's own onchange pass then gives the same warning).
    @api.onchange("scheduled_start", "scheduled_end", "technician_id")
    def _onchange_working_hours_warning(self):
        """Warn, without refusing (overtime may be agreed), when the task is not
        entirely inside the technician's working time."""
        task = self[:1]
        warning = task._get_working_hours_warning() if task else None
        if warning:
            return {"warning": {"title": warning[0], "message": warning[1]}}
        return None

    def _get_working_hours_warning(self):
        """``(title, message)`` when this task is not entirely inside its
        technician's working intervals (resource calendar minus time off, in the
        technician's zone, as the availability engine computes them), else None.
        Technicians without working hours are not judged. Times are shown in the
        company zone."""
        self.ensure_one()
        start, end, technician = self.scheduled_start, self.scheduled_end, self.technician_id
        if not (start and end and technician) or end <= start or self.state == "cancelled":
            return None
        Task = self.with_company(self.company_id or self.env.company)
        resource = Task._get_technician_resources(technician).get(technician.id)
        if not resource or not resource.calendar_id:
            return None  # no working hours defined: nothing to compare with
        tz = Task._get_company_tz()
        local_start = availability.as_utc(start).astimezone(tz)
        local_end = availability.as_utc(end).astimezone(tz)
        # the whole local days of the task: tells a day off from a late hour
        first_day = local_start.date()
        last_day = (local_end - timedelta(microseconds=1)).date()
        day_start = tz.localize(datetime.combine(first_day, time.min))
        day_end = tz.localize(datetime.combine(last_day + timedelta(days=1), time.min))
        work, time_off = Task._get_work_timestamps(technician, day_start, day_end, {technician.id: resource})
        work, time_off = work.get(technician.id, []), time_off.get(technician.id, [])
        start_ts, end_ts = math.floor(local_start.timestamp()), math.ceil(local_end.timestamp())
        covered = availability.subtract_timestamps(work, time_off, start_ts, end_ts)
        if sum(stop - low for low, stop in covered) >= end_ts - start_ts:
            return None

        lang, tz_name = self.env.lang, tz.zone
        tz_label = time_labels.timezone_name(tz_name, lang)
        if first_day == last_day:
            day = time_labels.format_day_date(first_day, lang)
            when = self.env._(
                "%(day)s at %(window)s (%(zone)s)",
                day=day,
                window=time_labels.format_window(start, end, tz_name, lang),
                zone=tz_label,
            )
        else:
            day = None
            when = self.env._(
                "%(start_day)s, %(start)s to %(end_day)s, %(end)s (%(zone)s)",
                start_day=time_labels.format_day_date(first_day, lang),
                start=time_labels.format_time(start, tz_name, lang),
                end_day=time_labels.format_day_date(last_day, lang),
                end=time_labels.format_time(end, tz_name, lang),
                zone=tz_label,
            )
        agreed = self.env._("Save anyway only if this was agreed with them.")
        if any(low < end_ts and start_ts < stop for low, stop in time_off):
            title = self.env._("Technician on time off")
            message = self.env._("%(technician)s has time off on %(when)s.", technician=technician.name, when=when)
        elif not work:
            title = self.env._("Outside working hours")
            message = self.env._("%(technician)s does not work on %(when)s.", technician=technician.name, when=when)
        elif day:
            hours = format_list(
                self.env,
                [
                    time_labels.format_window(_naive_utc(low), _naive_utc(stop), tz_name, lang)
                    for low, stop in availability.subtract_timestamps(work, time_off)
                ],
            )
            title = self.env._("Outside working hours")
            message = self.env._(
                "%(technician)s works %(hours)s on %(day)s: this task is at %(window)s (%(zone)s).",
                technician=technician.name,
                hours=hours,
                day=day,
                window=time_labels.format_window(start, end, tz_name, lang),
                zone=tz_label,
            )
        else:
            title = self.env._("Outside working hours")
            message = self.env._(
                "%(technician)s's working hours do not cover %(when)s.", technician=technician.name, when=when
            )
        return title, f"{message} {agreed}"

    def onchange(self, values, field_names, fields_spec):
        # the form's duration before this change: the start's onchange keeps it
        records = self
        if field_names == ["scheduled_start"] and isinstance(values.get("duration"), (int, float)):
            records = self.with_context(fusion_form_duration=values["duration"])
        return super(FusionTechnicianTask, records).onchange(values, field_names, fields_spec)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("fusion.technician.task") or self.env._("New")
        for vals in vals_list:
            self._check_schedule_values(vals.get("scheduled_start"), vals.get("scheduled_end"))
        self._check_no_overlap(
            [
                (vals.get("technician_id"), vals.get("scheduled_start"), vals.get("scheduled_end"))
                for vals in vals_list
                if vals.get("state", "scheduled") != "cancelled"
            ]
        )
        try:
            with self.env.cr.savepoint(flush=False):
                return super().create(vals_list)
        except IntegrityError as exc:
            # e.g. a concurrent transaction won the race: the database said no
            raise ValidationError(self._sql_error_to_message(exc)) from None

    def write(self, vals):
        planning = SCHEDULING_FIELDS & vals.keys()
        if (
            planning
            and not self.env.su
            and not self.env.user.has_group("fusion_tasks.group_fusion_dispatcher")
            and any(task._fc_value_changes(name, vals[name]) for task in self for name in planning)
        ):
            raise AccessError(self.env._("Only dispatchers can change the client, time or type of a task."))
        if (
            "technician_id" in vals
            and not self.env.su
            and not self.env.user.has_group("fusion_tasks.group_fusion_dispatcher")
            and any(task.technician_id.id != vals["technician_id"] for task in self)
        ):
            raise AccessError(self.env._("Only dispatchers can reassign a task to another technician."))
        old_technicians = {task: task.technician_id for task in self} if "technician_id" in vals else {}
        res = super().write(vals)
        if {"scheduled_start", "scheduled_end", "technician_id"} & vals.keys():
            self._sync_calendar_events(old_technicians)
        return res

    def _fc_value_changes(self, name, value):
        """Whether writing ``value`` to field ``name`` changes this task."""
        field = self._fields[name]
        return self[name] != field.convert_to_record(field.convert_to_cache(value, self), self)

    @api.model
    def _check_schedule_values(self, start, end):
        if start and end and fields.Datetime.to_datetime(end) <= fields.Datetime.to_datetime(start):
            raise ValidationError(self.env._("A task must end after it starts."))

    @api.model
    def _check_no_overlap(self, candidates, ignore_ids=()):
        """Raise a readable error if one of the ``(technician_id, start, end)``
        candidates overlaps another one or a non-cancelled task in the
        database (other than ``ignore_ids``). A friendly early check: the
        exclusion constraint stays the guarantee under concurrency."""
        by_technician = defaultdict(list)
        for technician_id, start, end in candidates:
            if technician_id and start and end:
                technician_id = technician_id.id if isinstance(technician_id, models.BaseModel) else technician_id
                by_technician[technician_id].append(
                    (fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(end))
                )
        if not by_technician:
            return
        for technician_id, ranges in by_technician.items():
            ranges.sort()
            for (_start1, end1), (start2, _end2) in pairwise(ranges):
                if start2 < end1:
                    raise ValidationError(_overlap_message_for(self.env, technician_id))
        rows = [(technician_id, start, end) for technician_id, ranges in by_technician.items() for start, end in ranges]
        self.env.cr.execute(
            SQL(
                """
            SELECT t.technician_id
              FROM fusion_technician_task t
              JOIN unnest(%(technicians)s::int[], %(starts)s::timestamp[], %(ends)s::timestamp[])
                   AS c(technician_id, scheduled_start, scheduled_end)
                ON c.technician_id = t.technician_id
               AND t.scheduled_start < c.scheduled_end
               AND t.scheduled_end > c.scheduled_start
             WHERE t.state != 'cancelled'
               AND t.id != ALL(%(ignored)s)
             LIMIT 1
            """,
                technicians=[row[0] for row in rows],
                starts=[row[1] for row in rows],
                ends=[row[2] for row in rows],
                ignored=list(ignore_ids),
            )
        )
        clash = self.env.cr.fetchone()
        if clash:
            raise ValidationError(_overlap_message_for(self.env, clash[0]))

    @api.constrains("technician_id", "scheduled_start", "scheduled_end", "state")
    def _check_technician_overlap(self):
        """Friendly check first; then write the changes now, so that the
        exclusion constraint speaks up while we can still turn it into a
        readable message."""
        for task in self:
            self._check_schedule_values(task.scheduled_start, task.scheduled_end)
        self._check_no_overlap(
            [
                (task.technician_id.id, task.scheduled_start, task.scheduled_end)
                for task in self
                if task.state != "cancelled"
            ],
            ignore_ids=self.ids,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.flush_recordset(["technician_id", "scheduled_start", "scheduled_end", "state"])
        except IntegrityError as exc:
            raise ValidationError(self._sql_error_to_message(exc)) from None

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(task.state in ("in_progress", "done") for task in self):
            raise UserError(self.env._("A task that was started or done cannot be deleted; cancel it instead."))

    def _sync_calendar_events(self, old_technicians):
        """The calendar event follows its task (new times, new technician)."""
        for task in self.filtered("calendar_event_id"):
            event = task.calendar_event_id
            values = {}
            if event.start != task.scheduled_start or event.stop != task.scheduled_end:
                values.update(start=task.scheduled_start, stop=task.scheduled_end)
            old = old_technicians.get(task)
            if old and old != task.technician_id:
                values["partner_ids"] = [
                    fields.Command.unlink(old.partner_id.id),
                    fields.Command.link(task.technician_id.partner_id.id),
                ]
                if event.user_id == old:
                    values["user_id"] = task.technician_id.id  # the event is in the new one's calendar
            if values:
                event.write(values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._action_start()
        return True

    def action_done(self):
        self._action_done()
        return True

    def action_cancel(self):
        self._action_cancel()
        return True

    def _action_start(self):
        wrong = self.filtered(lambda task: task.state != "scheduled")
        if wrong:
            raise UserError(
                self.env._(
                    "Only scheduled tasks can be started: %(tasks)s.", tasks=", ".join(wrong.mapped("display_name"))
                )
            )
        self._check_planned_day_reached()
        self.write({"state": "in_progress"})

    def _action_done(self):
        wrong = self.filtered(lambda task: task.state not in ("scheduled", "in_progress"))
        if wrong:
            raise UserError(
                self.env._(
                    "Only scheduled or started tasks can be marked done: %(tasks)s.",
                    tasks=", ".join(wrong.mapped("display_name")),
                )
            )
        self._check_planned_day_reached()
        self.write({"state": "done"})

    def _check_planned_day_reached(self):
        """A task is started or finished on its planned day or later: a tap on the wrong card
        must not close next week's visit (move the task first if it really happens earlier)."""
        tz = self._get_company_tz()

        def local_day(utc_naive):
            return utc_naive.replace(tzinfo=availability.UTC).astimezone(tz).date()

        today = local_day(fields.Datetime.now())
        early = self.filtered(lambda task: task.scheduled_start and local_day(task.scheduled_start) > today)
        if early:
            task = early[0]
            planned_day = local_day(task.scheduled_start)
            raise UserError(
                self.env._(
                    "%(task)s is planned for %(day)s. It can be started or marked done from that day on. "
                    "If the visit happens earlier, ask the office to change its planned time first.",
                    task=task.display_name,
                    day=format_date(self.env, planned_day, date_format="EEEE, MMMM d, y"),
                )
            )

    def _action_cancel(self):
        wrong = self.filtered(lambda task: task.state == "done")
        if wrong:
            raise UserError(
                self.env._(
                    "A task that is done cannot be cancelled: %(tasks)s.", tasks=", ".join(wrong.mapped("display_name"))
                )
            )
        self.write({"state": "cancelled"})
        self.calendar_event_id.filtered("active").action_archive()

    # ------------------------------------------------------------------
    # Availability engine
    # ------------------------------------------------------------------

    @api.model
    def _get_travel_buffer(self):
        """Time kept free around every busy interval (setting, in minutes)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("fusion_tasks.travel_buffer_minutes", DEFAULT_TRAVEL_BUFFER_MINUTES)
        )
        try:
            minutes = max(0, int(value))
        except (TypeError, ValueError):
            minutes = DEFAULT_TRAVEL_BUFFER_MINUTES
        return timedelta(minutes=minutes)

    @api.model
    def _get_company_tz(self):
        """The zone the start grid is aligned in (and slots are shown in): the
        company's (its partner's), else America/Toronto."""
        return availability.get_tz(self.env.company.sudo().partner_id.tz or DEFAULT_COMPANY_TZ)

    @api.model
    def _get_technician_resources(self, technicians):
        """``{user_id: resource.resource}`` (sudo), preferring the resource of
        the current company when a user has several. One query."""
        resources = (
            self.env["resource.resource"]
            .sudo()
            .search_fetch([("user_id", "in", technicians.ids)], ["user_id", "calendar_id", "tz", "company_id"])
        )
        company = self.env.company
        by_user = {}
        for resource in resources:
            current = by_user.get(resource.user_id.id)
            if not current or (resource.company_id == company and current.company_id != company):
                by_user[resource.user_id.id] = resource
        return by_user

    @api.model
    def _get_work_timestamps(self, technicians, start, end, resources):
        """Working time and time off of each technician, as sorted
        ``(start_ts, stop_ts)`` lists: ``({user_id: work}, {user_id: time off})``.

        Per calendar and zone (not per technician), ``_work_intervals_batch``
        computes the attendances (fixed hours depend on nothing else; flexible
        calendars get their resources), and per calendar ``_leave_intervals_batch``
        the time off (personal and public): exactly what ``_work_intervals_batch``
        subtracts with ``compute_leaves``, kept apart so that time off is removed
        in the same sweep as busy time. The cost therefore grows with the
        number of calendars and zones used, not with the number of technicians.
        """
        by_calendar = defaultdict(list)
        without_calendar = {}
        for user_id in technicians.ids:
            resource = resources.get(user_id)
            if resource and resource.calendar_id:
                by_calendar[resource.calendar_id].append(resource.id)
            else:
                # no resource or no calendar: the company's working hours,
                # in the technician's zone, without personal time off
                without_calendar[user_id] = resource.tz if resource else None
        user_of = {resource.id: user_id for user_id, resource in resources.items()}
        Resource = self.env["resource.resource"].sudo()
        work, time_off, converted = {}, {}, {}

        def merged(intervals):
            # attendances are kept distinct (9-12, 12-17): merge what touches
            key = id(intervals)
            if key not in converted:
                pairs = []
                for pair in availability.to_timestamps(intervals):
                    if pairs and pair[0] <= pairs[-1][1]:
                        if pair[1] > pairs[-1][1]:
                            pairs[-1] = (pairs[-1][0], pair[1])
                    else:
                        pairs.append(pair)
                converted[key] = (intervals, pairs)  # keep `intervals` alive: id() stays unique
            return converted[key][1]

        for calendar, resource_ids in by_calendar.items():
            calendar_resources = Resource.browse(resource_ids)
            if calendar.flexible_hours:
                attendances = calendar._work_intervals_batch(
                    start, end, resources=calendar_resources, compute_leaves=False
                )
                for resource_id in resource_ids:
                    work[user_of[resource_id]] = merged(attendances[resource_id])
            else:
                # fixed hours only depend on the zone: one computation per zone
                by_tz = defaultdict(list)
                for resource in calendar_resources:
                    by_tz[resource.tz or calendar.tz or "UTC"].append(resource.id)
                for tz, tz_resource_ids in by_tz.items():
                    attendances = calendar._work_intervals_batch(
                        start, end, tz=availability.get_tz(tz), compute_leaves=False
                    )
                    pairs = merged(attendances[False])
                    for resource_id in tz_resource_ids:
                        work[user_of[resource_id]] = pairs
            leaves = calendar._leave_intervals_batch(start, end, resources=calendar_resources)
            for resource_id in resource_ids:
                if leaves[resource_id]:
                    time_off[user_of[resource_id]] = availability.to_timestamps_outer(leaves[resource_id])
        if without_calendar:
            company_calendar = self.env.company.sudo().resource_calendar_id
            by_tz = defaultdict(list)
            for user_id, tz in without_calendar.items():
                by_tz[tz or company_calendar.tz or DEFAULT_COMPANY_TZ].append(user_id)
            for tz, user_ids in by_tz.items():
                if company_calendar:
                    intervals = company_calendar._work_intervals_batch(start, end, tz=availability.get_tz(tz))[False]
                    work.update(dict.fromkeys(user_ids, merged(intervals)))
                else:
                    work.update({user_id: [] for user_id in user_ids})
        return work, time_off

    @api.model
    def _get_busy_timestamps(self, technicians, start, end, exclude_tasks=None, resources=None, buffer_s=0):
        """``{user_id: [(start_ts, stop_ts)]}`` of the non-cancelled tasks and
        of the busy calendar events each technician attends (not declined),
        overlapping ``[start, end)``, each widened by ``buffer_s`` seconds on
        both sides. One query, whatever the number of technicians, tasks or
        events, and regardless of the reader's access rights: a slot is only
        free if nobody's task is in it."""
        if not technicians:
            return {}
        exclude_tasks = exclude_tasks or self.browse()
        user_ids = list(technicians.ids)
        busy = defaultdict(list)
        start_naive = availability.to_naive_utc(start)
        end_naive = availability.to_naive_utc(end)

        self.flush_model(["technician_id", "scheduled_start", "scheduled_end", "state", "calendar_event_id"])
        self.env["calendar.event"].flush_model(
            ["start", "stop", "allday", "start_date", "stop_date", "show_as", "active"]
        )
        self.env["calendar.attendee"].flush_model(["event_id", "partner_id", "state"])
        self.env.cr.execute(
            SQL(
                """
            SELECT technician_id,
                   date_part('epoch', scheduled_start)::int8 - %(buffer)s,
                   date_part('epoch', scheduled_end)::int8 + %(buffer)s,
                   FALSE
              FROM fusion_technician_task
             WHERE technician_id = ANY(%(users)s)
               AND state != 'cancelled'
               AND scheduled_start < %(end)s
               AND scheduled_end > %(start)s
               AND id != ALL(%(excluded_tasks)s)
             UNION ALL
            SELECT u.id,
                   -- all-day events: their first and last dates (as UTC midnights)
                   CASE WHEN e.allday AND e.start_date IS NOT NULL AND e.stop_date IS NOT NULL
                        THEN date_part('epoch', e.start_date)::int8
                        ELSE date_part('epoch', e.start)::int8 - %(buffer)s END,
                   CASE WHEN e.allday AND e.start_date IS NOT NULL AND e.stop_date IS NOT NULL
                        THEN date_part('epoch', e.stop_date)::int8
                        ELSE date_part('epoch', e.stop)::int8 + %(buffer)s END,
                   e.allday AND e.start_date IS NOT NULL AND e.stop_date IS NOT NULL
              FROM calendar_attendee a
              JOIN calendar_event e ON e.id = a.event_id
              JOIN res_users u ON u.partner_id = a.partner_id
             WHERE u.id = ANY(%(users)s)
               AND e.active
               AND e.show_as = 'busy'
               AND a.state IS DISTINCT FROM 'declined'
               AND e.start < %(event_end)s
               AND e.stop > %(event_start)s
               AND e.id != ALL(%(excluded_events)s)
            """,
                users=user_ids,
                start=start_naive,
                end=end_naive,
                buffer=buffer_s,
                excluded_tasks=list(exclude_tasks.ids),
                excluded_events=exclude_tasks.sudo().calendar_event_id.ids,
                # all-day events are stored on their dates: a day of margin
                event_start=start_naive - timedelta(days=1),
                event_end=end_naive + timedelta(days=1),
            )
        )
        rows = self.env.cr.fetchall()
        if resources is None and any(row[3] for row in rows):
            resources = self._get_technician_resources(technicians)
        for user_id, low, high, allday in rows:
            if not allday:
                busy[user_id].append((low, high))
                continue
            # the whole days, in the technician's zone
            resource = resources.get(user_id)
            tz = availability.get_tz((resource and resource.tz) or self._get_company_tz())
            first_day = availability.EPOCH + timedelta(seconds=low)
            after_last_day = availability.EPOCH + timedelta(seconds=high, days=1)
            busy[user_id].append(
                (
                    int(tz.localize(first_day).timestamp()) - buffer_s,
                    int(tz.localize(after_last_day).timestamp()) + buffer_s,
                )
            )
        return busy

    @api.model
    def _get_free_timestamps(self, technicians, start, end, exclude_tasks=None, resources=None):
        """Free time of each technician: ``{user_id: [(start_ts, stop_ts)]}``
        sorted; see ``_get_available_gaps``. ``resources``: as returned by
        ``_get_technician_resources`` when the caller already has them."""
        start, end = availability.as_utc(start), availability.as_utc(end)
        if not technicians or start >= end:
            return {user_id: [] for user_id in technicians.ids}
        buffer_s = int(self._get_travel_buffer().total_seconds())
        if resources is None:
            resources = self._get_technician_resources(technicians)
        work, time_off = self._get_work_timestamps(technicians, start, end, resources)
        busy = self._get_busy_timestamps(
            technicians,
            start - timedelta(seconds=buffer_s),
            end + timedelta(seconds=buffer_s),
            exclude_tasks=exclude_tasks,
            resources=resources,
            buffer_s=buffer_s,
        )
        start_ts, end_ts = math.ceil(start.timestamp()), math.floor(end.timestamp())
        free = {}
        for user_id in technicians.ids:
            removed = busy.get(user_id, [])
            if user_time_off := time_off.get(user_id):
                removed = removed + user_time_off  # time off: no travel buffer
            free[user_id] = availability.subtract_timestamps(work.get(user_id, ()), removed, start_ts, end_ts)
        return free

    @api.model
    def _get_available_gaps(self, technicians, start, end, exclude_tasks=None):
        """Free time of each technician between ``start`` and ``end``.

        Working intervals (calendar and time off, in each technician's zone)
        minus non-cancelled tasks and busy calendar events they attend, each
        busy interval widened by the travel buffer. ``exclude_tasks`` (and
        their events) do not count as busy: a reschedule sees its own slot
        as free.

        :param technicians: res.users
        :param start, end: datetimes, aware or naive UTC
        :return: ``{user_id: Intervals}`` of aware UTC datetimes
        """
        free = self._get_free_timestamps(technicians, start, end, exclude_tasks=exclude_tasks)
        return {user_id: availability.from_timestamps(pairs) for user_id, pairs in free.items()}

    @api.model
    def _find_next_available_slot(self, technicians, duration, after, horizon_days=21, grid_minutes=30):
        """The first start on the grid (company zone) after ``after`` where
        one of ``technicians`` is free for ``duration`` (hours or timedelta).

        :return: ``(start as naive UTC datetime, res.users)``, the least loaded
            technician when several are free, or ``(False, False)``
        """
        if not isinstance(duration, timedelta):
            duration = timedelta(hours=duration)
        after = availability.as_utc(after)
        until = after + timedelta(days=horizon_days)
        free = self._get_free_timestamps(technicians, after, until + duration)
        slots = availability.grid_starts(
            free,
            duration.total_seconds(),
            grid_minutes,
            self._get_company_tz(),
            after.timestamp(),
            until.timestamp(),
            first_only=True,
        )
        if not slots:
            return False, False
        first = min(slots)
        candidates = self.env["res.users"].browse(sorted(slots[first]))
        if len(candidates) > 1:
            load = self._technician_load(candidates, after, until)
            candidates = candidates.sorted(lambda user: (load.get(user.id, 0), user.id))
        return availability.EPOCH + timedelta(seconds=first), candidates[0]

    @api.model
    def _get_candidate_technicians(self, skill=None, postal_code=None, technicians=None):
        """Active internal technicians of the current company, having
        ``skill`` and serving ``postal_code`` (a service zone with a prefix
        that starts the normalised code) when given, within ``technicians``
        when given."""
        return self._get_slot_context(skill, postal_code, technicians)[0]

    @api.model
    def _get_slot_context(self, skill=None, postal_code=None, technicians=None):
        """What a slot search starts from, in one query (and one for the zones
        of a postal code): the candidate technicians (see
        ``_get_candidate_technicians``), their resources and the company's
        time zone. It runs on every slot search, public ones included, and
        reads past the access rules (the caller decides what to show).

        :return: ``(res.users, {user_id: resource.resource}, tz name or None)``
        """
        Users = self.env["res.users"]
        company = self.env.company
        Users.flush_model(["active", "share", "x_fc_is_technician", "company_ids", "partner_id"])
        self.env["fusion.technician.skill"].flush_model(["technician_ids"])
        self.env["fusion.service.zone"].flush_model(["active", "postal_prefixes", "technician_ids"])
        self.env["resource.resource"].flush_model(["user_id", "active", "company_id"])
        self.env["res.partner"].flush_model(["tz"])
        conditions = [
            SQL("u.active AND u.x_fc_is_technician AND NOT u.share"),
            SQL("u.id = ANY(ARRAY(SELECT user_id FROM res_company_users_rel WHERE cid = %s))", company.id),
        ]
        if technicians is not None:
            conditions.append(SQL("u.id = ANY(%s)", list(technicians.ids)))
        if skill:
            conditions.append(
                SQL(
                    "u.id = ANY(ARRAY(SELECT user_id FROM fusion_technician_skill_res_users_rel"
                    " WHERE skill_id = ANY(%s)))",
                    list(skill.ids),
                )
            )
        if postal_code:
            zones = self.env["fusion.service.zone"].sudo()._match_postal_code(postal_code)
            if not zones:
                return Users, {}, None
            conditions.append(
                SQL(
                    "u.id = ANY(ARRAY(SELECT user_id FROM fusion_service_zone_res_users_rel WHERE zone_id = ANY(%s)))",
                    list(zones.ids),
                )
            )
        self.env.cr.execute(
            SQL(
                """
            SELECT u.id, r.id, r.company_id = %(company)s,
                   (SELECT tz FROM res_partner WHERE id = (SELECT partner_id FROM res_company WHERE id = %(company)s))
              FROM res_users u
              LEFT JOIN resource_resource r ON r.user_id = u.id AND r.active
             WHERE %(conditions)s
             ORDER BY u.id, r.id
            """,
                company=company.id,
                conditions=SQL(" AND ").join(conditions),
            )
        )
        rows = self.env.cr.fetchall()
        resource_of = {}  # a resource of the current company if the user has several
        for user_id, resource_id, same_company, _tz in rows:
            if resource_id and (user_id not in resource_of or (same_company and not resource_of[user_id][1])):
                resource_of[user_id] = (resource_id, same_company)
        users = Users.browse(list(dict.fromkeys(row[0] for row in rows)))
        resource_records = self.env["resource.resource"].sudo().browse([rid for rid, _same in resource_of.values()])
        resource_records.fetch(["user_id", "calendar_id", "tz", "company_id"])
        by_id = {resource.id: resource for resource in resource_records}  # one prefetch group
        resources = {user_id: by_id[rid] for user_id, (rid, _same) in resource_of.items()}
        return users, resources, rows[0][3] if rows else None

    @api.model
    def _get_bookable_slots(
        self,
        skill=None,
        postal_code=None,
        duration_hours=1.0,
        now=None,
        horizon_days=21,
        min_notice_hours=24,
        grid_minutes=30,
        exclude_tasks=None,
        technicians=None,
    ):
        """Arrival windows that can be booked, with the technicians who can take them.

        Technicians: ``_get_candidate_technicians(skill, postal_code, technicians)``.
        Starts are on a ``grid_minutes`` grid in the company zone, at least
        ``min_notice_hours`` after ``now``, before ``now + horizon_days``, and
        the whole visit fits in one free gap of each listed technician.
        A constant number of queries, whatever the number of technicians or tasks.

        :return: list sorted by start of ``{'start': naive UTC, 'end': naive UTC,
            'technician_ids': [user ids]}``
        """
        now = availability.as_utc(now or fields.Datetime.now())
        duration = timedelta(hours=duration_hours)
        if duration <= timedelta(0):
            return []
        earliest = now + timedelta(hours=min_notice_hours or 0)
        latest = now + timedelta(days=horizon_days)
        if earliest >= latest:
            return []
        candidates, resources, tz_name = self._get_slot_context(skill, postal_code, technicians)
        if not candidates:
            return []
        free = self._get_free_timestamps(
            candidates, earliest, latest + duration, exclude_tasks=exclude_tasks, resources=resources
        )
        slots = availability.grid_starts(
            free,
            duration.total_seconds(),
            grid_minutes,
            availability.get_tz(tz_name or DEFAULT_COMPANY_TZ),
            earliest.timestamp(),
            latest.timestamp(),
        )
        epoch = availability.EPOCH
        result = []
        for ts in sorted(slots):
            start = epoch + timedelta(seconds=ts)
            # keys come in the order of `candidates`, sorted by id
            result.append({"start": start, "end": start + duration, "technician_ids": slots[ts]})
        return result

    @api.model
    def _technician_load(self, technicians, start, end):
        """``{user_id: number of non-cancelled tasks overlapping [start, end)}``
        (zero included), to pick the least-loaded technician. One query."""
        start, end = availability.to_naive_utc(start), availability.to_naive_utc(end)
        groups = self.sudo()._read_group(
            [
                ("technician_id", "in", technicians.ids),
                ("state", "!=", "cancelled"),
                ("scheduled_start", "<", end),
                ("scheduled_end", ">", start),
            ],
            ["technician_id"],
            ["__count"],
        )
        load = dict.fromkeys(technicians.ids, 0)
        load.update({technician.id: count for technician, count in groups})
        return load
