"""The availability engine of the technician tasks: free time, bookable slots, load.

Split from ``fusion_technician_task.py`` by concern (as core splits
``account.journal`` into ``account_journal_dashboard.py``); the methods are on
``fusion.technician.task`` and other addons call them there.
"""

import math
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import availability
from .fusion_technician_task import DEFAULT_COMPANY_TZ, DEFAULT_TRAVEL_BUFFER_MINUTES


class FusionTechnicianTask(models.Model):
    _inherit = "fusion.technician.task"

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
            first_day = availability.local_day_start_utc(availability.EPOCH + timedelta(seconds=low), tz)
            after_last_day = availability.local_day_bounds_utc(availability.EPOCH + timedelta(seconds=high), tz)[1]
            busy[user_id].append(
                (
                    int(availability.timestamp(first_day)) - buffer_s,
                    int(availability.timestamp(after_last_day)) + buffer_s,
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
