import math
import re
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from textwrap import shorten

from markupsafe import Markup
from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, format_list, plaintext2html

from ..exceptions import TaskOverlapError
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
OVERLAP_CONSTRAINT = "fusion_technician_task_technician_no_overlap"
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


# planned by dispatchers: a technician may write them only with their current value
DISPATCHER_ONLY_FIELDS = frozenset(
    {
        "technician_id",
        "partner_id",
        "scheduled_start",
        "scheduled_end",
        "duration",
        "task_type",
        "state",
        "company_id",
        "calendar_event_id",
        "name",
        "cannot_do_reported",
    }
)


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
    cannot_do_reported = fields.Boolean(
        "Cannot Do Reported",
        readonly=True,
        copy=False,
        tracking=True,
        help="The technician reported that they cannot do this visit (see the chatter and the "
        "office's activity). Cleared when the task is moved or reassigned.",
    )
    planned_day_reached = fields.Boolean(
        compute="_compute_planned_day_reached",
        help="The task is planned for today or earlier: it can be started and finished.",
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
        allowed = self._is_dispatcher()
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
        day_start = availability.as_utc(availability.local_day_start_utc(first_day, tz))
        day_end = availability.as_utc(availability.local_day_bounds_utc(last_day, tz)[1])
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
            raise self._sql_error_to_exception(exc) from None

    def write(self, vals):
        self._check_dispatcher_only_write(vals)
        moved = {"technician_id", "scheduled_start"} & vals.keys()
        if (
            moved
            and "cannot_do_reported" not in vals
            and any(
                task.cannot_do_reported and task._fc_value_changes(name, vals[name]) for task in self for name in moved
            )
        ):
            # moved or reassigned: the office dealt with the technician's report
            vals = {**vals, "cannot_do_reported": False}
        old_technicians = {task: task.technician_id for task in self} if "technician_id" in vals else {}
        res = super().write(vals)
        if {"scheduled_start", "scheduled_end", "technician_id"} & vals.keys():
            self._sync_calendar_events(old_technicians)
        return res

    def _is_dispatcher(self):
        """Whether the current user plans tasks (superuser and sudo included)."""
        return self.env.su or self.env.user.has_group("fusion_tasks.group_fusion_dispatcher")

    def _get_dispatcher_only_fields(self):
        """Fields that only dispatchers may change (technicians may write them
        with their current value, as a form may send unchanged values).
        Inheriting addons add theirs: ``return super()._get_dispatcher_only_fields() | {...}``.

        :rtype: set[str]
        """
        return set(DISPATCHER_ONLY_FIELDS)

    def _check_dispatcher_only_write(self, vals):
        """Refuse, before anything is written, a change by a non-dispatcher of a field
        of ``_get_dispatcher_only_fields``."""
        if self._is_dispatcher():
            return
        protected = self._get_dispatcher_only_fields() & vals.keys()
        changed = [name for name in protected if any(task._fc_value_changes(name, vals[name]) for task in self)]
        if not changed:
            return
        if changed == ["technician_id"]:
            raise AccessError(self.env._("Only dispatchers can reassign a task to another technician."))
        labels = sorted(self._fields[name]._description_string(self.env) for name in changed)
        raise AccessError(
            self.env._(
                "Only dispatchers can change %(fields)s of a task. "
                'If the visit cannot be done as planned, use "Cannot Do This Visit".',
                fields=format_list(self.env, labels),
            )
        )

    def _sql_error_to_exception(self, exc):
        """The error to show for a database constraint violation: ``TaskOverlapError``
        for the technician overlap (exclusion constraint), ``ValidationError`` otherwise."""
        message = self._sql_error_to_message(exc)
        if exc.diag.constraint_name == OVERLAP_CONSTRAINT:
            return TaskOverlapError(message)
        return ValidationError(message)

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
                    raise TaskOverlapError(_overlap_message_for(self.env, technician_id))
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
            raise TaskOverlapError(_overlap_message_for(self.env, clash[0]))

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
            raise self._sql_error_to_exception(exc) from None

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(task.state in ("in_progress", "done") for task in self):
            raise UserError(self.env._("A task that was started or done cannot be deleted; cancel it instead."))

    def _sync_calendar_events(self, old_technicians):
        """The calendar event follows its task (new times, new technician)."""
        for task in self.filtered("calendar_event_id"):
            event = task.calendar_event_id.sudo()  # it may be private: it follows the task the user may write
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
        self.check_access("write")  # own tasks only, for a technician
        self._action_start()
        return True

    def action_done(self):
        self.check_access("write")
        self._action_done()
        return True

    def action_cancel(self):
        if not self._is_dispatcher():
            raise AccessError(
                self.env._(
                    "Only dispatchers can cancel a task. If you cannot do this visit, "
                    'use "Cannot Do This Visit": the office will be told.'
                )
            )
        self.check_access("write")
        self._action_cancel()
        return True

    def action_report_cannot_do(self):
        """Open the "Cannot Do This Visit" wizard: the technician says why, the office
        gets a to-do; the task itself does not change."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("scheduled", "in_progress"):
            raise UserError(self.env._("Only a scheduled or started visit can be reported."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cannot Do This Visit"),
            "res_model": "fusion.technician.task.cannot.do",
            "view_mode": "form",
            "target": "new",
            "context": {"default_task_id": self.id},
        }

    def _action_start(self):
        wrong = self.filtered(lambda task: task.state != "scheduled")
        if wrong:
            raise UserError(
                self.env._(
                    "Only scheduled tasks can be started: %(tasks)s.", tasks=", ".join(wrong.mapped("display_name"))
                )
            )
        self._check_planned_day_reached()
        # the caller checked the access: technicians may not write the state themselves
        self.sudo().write({"state": "in_progress"})

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
        self.sudo().write({"state": "done"})

    def _get_local_tomorrow_utc(self):
        """Naive UTC start of tomorrow in the company zone: tasks from then on are not today's."""
        tz = self._get_company_tz()
        today = availability.as_utc(fields.Datetime.now()).astimezone(tz).date()
        return availability.local_day_bounds_utc(today, tz)[1]

    def _compute_planned_day_reached(self):
        tomorrow = self._get_local_tomorrow_utc()
        for task in self:
            task.planned_day_reached = not task.scheduled_start or task.scheduled_start < tomorrow

    def _check_planned_day_reached(self):
        """A task is started or finished on its planned day or later: a tap on the wrong card
        must not close next week's visit (move the task first if it really happens earlier)."""
        tz = self._get_company_tz()
        tomorrow = self._get_local_tomorrow_utc()
        early = self.filtered(lambda task: task.scheduled_start and task.scheduled_start >= tomorrow)
        if early:
            task = early[0]
            planned_day = availability.as_utc(task.scheduled_start).astimezone(tz).date()
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
        self.sudo().write({"state": "cancelled"})
        self.calendar_event_id.sudo().filtered("active").action_archive()

    # ------------------------------------------------------------------
    # "Cannot Do This Visit"
    # ------------------------------------------------------------------

    def _get_office_user(self):
        """The office person who follows this task up: the user who created it if
        internal, active and not its technician, else the first active dispatcher
        of the task's company (other than the technician), else the administrator."""
        self.ensure_one()
        task = self.sudo()
        creator = task.create_uid
        if creator and creator.active and not creator.share and creator != task.technician_id:
            return creator
        dispatcher = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("all_group_ids", "in", self.env.ref("fusion_tasks.group_fusion_dispatcher").id),
                    ("share", "=", False),
                    ("company_ids", "in", task.company_id.ids),
                    ("id", "!=", task.technician_id.id),
                ],
                order="id",
                limit=1,
            )
        )
        return dispatcher or self.env.ref("base.user_admin")

    def _get_cannot_do_activity_record(self):
        """The record the office's "cannot do" to-do is attached to: one they can open."""
        return self

    def _report_cannot_do(self, reason):
        """Tell the office that the technician cannot do this visit: a note in the
        chatter, a to-do for ``_get_office_user()`` and the task flagged. The task keeps
        its time, technician and state. Callers check the access first."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please say why the visit cannot be done."))
        reporter = self.env.user.name
        summary = shorten(
            self.env._("%(technician)s cannot do this visit: %(reason)s", technician=reporter, reason=reason),
            width=120,
            placeholder="…",
        )
        for task in self.sudo():
            task.message_post(
                body=Markup("<p><b>%s</b></p>%s")
                % (self.env._("%(technician)s cannot do this visit.", technician=reporter), plaintext2html(reason)),
                subtype_xmlid="mail.mt_note",
            )
            task._get_cannot_do_activity_record().activity_schedule(
                "fusion_tasks.mail_activity_type_cannot_do",
                summary=summary,
                note=plaintext2html(reason),
                user_id=task._get_office_user().id,
            )
            task.cannot_do_reported = True
