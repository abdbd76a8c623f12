import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.fusion_tasks.exceptions import TaskOverlapError
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL

from ..lib import booking_slots
from ..lib.booking_slots import BOOKED, BY_CLIENT, BY_OFFICE, CANCELLED, MOVED, UNCHANGED

_logger = logging.getLogger(__name__)


class FusionRepairMaintenanceContract(models.Model):
    """The booking service: the one door through which a visit is booked, moved or
    cancelled, by the client's link (the website controller) or by the office.

    ``book_slot`` and ``cancel_booking`` check that the caller may write the contract, then
    do everything in one transaction: locks, checks, the task with its calendar event and
    repair order, the chatter note and the client's email. The website calls them on the
    contract found by its token (in sudo), with ``by="client"``."""

    _inherit = "fusion.repair.maintenance.contract"

    def init(self):
        super().init()
        # one row per technician, bumped by each booking (see _lock_technician_schedule)
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS fusion_technician_booking_lock (
                technician_id integer PRIMARY KEY REFERENCES res_users(id) ON DELETE CASCADE,
                bumped_at timestamp NOT NULL
            )
            """
        )

    # ------------------------------------------------------------------
    # Settings and rules of this unit's booking
    # ------------------------------------------------------------------

    @api.model
    def _get_booking_settings(self):
        """The booking settings (``ir.config_parameter``), as integers."""
        get_param = self.env["ir.config_parameter"].sudo().get_param

        def _int(key, default):
            try:
                return max(int(get_param(f"fusion_repairs.{key}", default)), 0)
            except (TypeError, ValueError):
                return default

        return {
            "horizon_days": _int("booking_horizon_days", 21) or 21,
            "min_notice_hours": _int("booking_min_notice_hours", 24),
            "grid_minutes": _int("booking_grid_minutes", 30) or 30,
            "cutoff_hours": _int("booking_cutoff_hours", 24),
            "arrival_window_minutes": _int("arrival_window_minutes", 60),
        }

    def _get_booking_tz(self):
        """The zone slots are offered on (start grid) and shown in: the company's, as the
        availability engine sees it."""
        company = self.company_id or self.env.company
        tz = self.env["fusion.technician.task"].with_company(company)._get_company_tz()
        return getattr(tz, "zone", None) or str(tz)

    def _get_booking_category(self):
        self.ensure_one()
        return self.x_fc_policy_category_id or self.product_id.product_tmpl_id.x_fc_repair_category_id

    def _get_visit_duration_hours(self):
        self.ensure_one()
        return self._get_booking_category().x_fc_visit_duration_hours or 1.5

    def _get_current_booking_task(self):
        """The booked visit of this cycle (not done, not cancelled), or an empty recordset.
        In sudo: office staff and the public page read it without rights on tasks."""
        self.ensure_one()
        task = self.sudo().task_id
        return task if task and task.state not in ("done", "cancelled") else task.browse()

    def _get_booking_opening_date(self):
        """The day online booking of this cycle's visit opens: the largest reminder band
        before the due date (the first reminder's day), or False without a due date."""
        self.ensure_one()
        if not self.next_due_date:
            return False
        return self.next_due_date - timedelta(days=max(self._get_reminder_bands()))

    def _get_booking_opens_at(self):
        """Naive UTC start of the opening day in the booking zone (False: always open)."""
        self.ensure_one()
        opening = self._get_booking_opening_date()
        if not opening:
            return False
        return booking_slots.local_day_bounds_utc(opening, self._get_booking_tz())[0]

    def _get_booking_opening_label(self, now=None):
        """ "Monday, April 21, 2027" while online booking is not open yet, else False."""
        self.ensure_one()
        opens_at = self._get_booking_opens_at()
        if not opens_at or (now or fields.Datetime.now()) >= opens_at:
            return False
        return booking_slots.format_day_date(self._get_booking_opening_date(), self._get_client_lang())

    def _booking_change_deadline(self):
        """Until when the client may still move or cancel the booked visit online."""
        self.ensure_one()
        task = self._get_current_booking_task()
        if not task:
            return False
        return task.scheduled_start - timedelta(hours=self._get_booking_settings()["cutoff_hours"])

    def _booking_change_allowed(self, now=None):
        """Whether the client may still move or cancel the booked visit from the link."""
        self.ensure_one()
        task = self._get_current_booking_task()
        if not task or task.state != "scheduled":
            return bool(not task)
        return (now or fields.Datetime.now()) < self._booking_change_deadline()

    def _get_booking_block_reason(self):
        """Why this unit cannot be booked at all for now (a refusal reason, e.g. the unit is out
        of service), or False. Extended by other concerns of the contract."""
        self.ensure_one()
        return False

    def _get_booking_refusal_message(self, reason):
        settings = self._get_booking_settings()
        phone = (self.company_id or self.env.company).phone
        call = self.env._(" Please call us at %s.", phone) if phone else ""
        messages = {
            booking_slots.SLOT_INVALID: self.env._(
                "That time could not be read. Please choose one of the times shown."
            ),
            booking_slots.SLOT_PAST: self.env._("That time has already passed. Please choose one of the times shown."),
            booking_slots.SLOT_TOO_SOON: self.env._(
                "Visits must be booked at least %s hours ahead. Please choose a later time.",
                settings["min_notice_hours"],
            ),
            booking_slots.SLOT_TOO_FAR: self.env._(
                "Visits can be booked up to %s days ahead. Please choose one of the times shown.",
                settings["horizon_days"],
            ),
            booking_slots.SLOT_OFF_GRID: self.env._(
                "That is not one of the offered start times. Please choose one of the times shown."
            ),
            "unavailable": self.env._("No technician is available at that time. Please choose one of the times shown."),
            "taken": self.env._("That time was just taken. Please choose another time below."),
            "already_booked": self.env._("This visit was already booked, perhaps by someone else in your household.")
            + (" " + self.env._("You can move it below if needed.") if self._booking_change_allowed() else ""),
            "nothing_to_cancel": self.env._(
                "There was no booked visit to cancel: it may have been cancelled already, perhaps by someone"
                " else in your household."
            ),
            "not_cancellable": self.env._(
                "This visit can no longer be cancelled online: work on it has already been recorded."
            )
            + call,
            "session": self.env._(
                "This page had been open for a long time, so nothing has been changed. "
                "Please make your choice again below."
            ),
            "inactive": self.env._("This maintenance plan cannot be booked online.") + call,
            "cutoff": self.env._(
                "Your visit is less than %s hours away, so it can no longer be changed online.",
                settings["cutoff_hours"],
            )
            + call,
            "started": self.env._("Your visit has already started and can no longer be changed.") + call,
            "not_open": self.env._(
                "Online booking of this visit opens on %s. Please choose a time from that day on.",
                self._get_booking_opening_date()
                and booking_slots.format_day_date(self._get_booking_opening_date(), self._get_client_lang()),
            )
            + call,
        }
        return messages[reason]

    def _booking_refusal(self, reason):
        """The ``BookingError`` (a ``UserError``) to raise for ``reason``."""
        return booking_slots.BookingError(self._get_booking_refusal_message(reason), reason)

    # ------------------------------------------------------------------
    # Free times
    # ------------------------------------------------------------------

    def _get_available_slots(self, now=None, min_notice_hours=None, exclude_tasks=None, for_client=False):
        """Bookable arrival windows for this unit: technicians with the category's skill who
        serve the client's postal code, for the category's visit length, within the booking
        horizon. The visit already booked counts as free (it is the one being moved). The client
        (``for_client``) gets them from the day online booking opens; the office may book earlier.

        :return: list of ``{'start', 'end', 'technician_ids'}`` (naive UTC), sorted.
        """
        self.ensure_one()
        settings = self._get_booking_settings()
        if min_notice_hours is None:
            min_notice_hours = settings["min_notice_hours"]
        category = self._get_booking_category()
        exclude = self.env["fusion.technician.task"].sudo()
        exclude |= self._get_current_booking_task().sudo()
        if exclude_tasks:
            exclude |= exclude_tasks.sudo()
        slots = (
            self.env["fusion.technician.task"]
            .sudo()
            .with_company(self.company_id)
            ._get_bookable_slots(
                skill=category.x_fc_maintenance_skill_id,
                postal_code=self.partner_id.zip,
                duration_hours=self._get_visit_duration_hours(),
                now=now or fields.Datetime.now(),
                horizon_days=settings["horizon_days"],
                min_notice_hours=min_notice_hours,
                grid_minutes=settings["grid_minutes"],
                exclude_tasks=exclude,
            )
        )
        opens_at = for_client and self._get_booking_opens_at()
        if opens_at:
            slots = [slot for slot in slots if slot["start"] >= opens_at]
        return slots

    def _slot_taken_by_others(self, slot_start, now, min_notice_hours, for_client=False):
        """Whether ``slot_start`` would be free if it were not for other bookings (tasks),
        i.e. whether someone took it: tells "just taken" from "never available"."""
        self.ensure_one()
        visit = timedelta(hours=self._get_visit_duration_hours())
        others = (
            self.env["fusion.technician.task"]
            .sudo()
            .search(
                [
                    ("state", "!=", "cancelled"),
                    ("scheduled_start", "<", slot_start + visit + timedelta(days=1)),
                    ("scheduled_end", ">", slot_start - timedelta(days=1)),
                ]
            )
        )
        if not others:
            return False
        slots = self._get_available_slots(
            now=now, min_notice_hours=min_notice_hours, exclude_tasks=others, for_client=for_client
        )
        return any(slot["start"] == slot_start for slot in slots)

    # ------------------------------------------------------------------
    # The doors: book (or move) and cancel
    # ------------------------------------------------------------------

    def book_slot(
        self, slot_start, technician=None, *, by=BY_OFFICE, ignore_min_notice=False, notify=True, seen_start=None
    ):
        """Book this cycle's maintenance visit at ``slot_start``, or move the booked one there.

        The only way in, for the client's link (``by="client"``, called by the website on the
        contract of a checked token) and for office staff who may write the contract (the
        wizard, ``by="office"``). Everyone else gets an ``AccessError`` and nothing changes.
        In one transaction: the contract is locked, the start re-checked and availability
        recomputed (the visit being moved counts as free), the technician's schedule locked
        and checked again, then the task, its calendar event and its repair order are created
        or moved together, the chatter says so and the client is emailed (``notify``).
        A refusal raises a ``BookingError`` (a ``UserError`` with a ``reason``) and leaves
        everything as it was.

        :param slot_start: naive UTC datetime, or its ``"YYYY-MM-DD HH:MM:SS"`` string
        :param technician: ``res.users`` (or id) to assign; None: the least busy one
        :param ignore_min_notice: office only: offer times inside the minimum notice
        :param seen_start: the client page's booked visit when it was shown ("" for none):
            a "book" form sent from a page that showed no visit does not move one booked since
        :return: ``{"status": "booked" | "moved" | "unchanged", "task_id": id}``
        """
        self.ensure_one()
        self.check_access("write")
        if by not in (BY_CLIENT, BY_OFFICE):
            raise UserError(self.env._("Unknown booking channel: %s", by))
        if isinstance(slot_start, str):
            slot_start = booking_slots.parse_slot_start(slot_start)
        if technician is not None and not isinstance(technician, models.BaseModel):
            technician = self.env["res.users"].browse(int(technician))
        if by == BY_CLIENT:
            technician, ignore_min_notice = None, False
        status, task = self.sudo()._book_visit(
            slot_start, technician or None, by=by, ignore_min_notice=ignore_min_notice, seen_start=seen_start
        )
        if notify and status in (BOOKED, MOVED):
            self._send_booking_confirmation(task, moved=status == MOVED)
        return {"status": status, "task_id": task.id}

    def _book_visit(self, slot_start, technician, *, by, ignore_min_notice, seen_start=None):
        """See ``book_slot`` (here in sudo, access already checked): ``(status, task)``."""
        self.ensure_one()
        if not slot_start:
            raise self._booking_refusal(booking_slots.SLOT_INVALID)
        self._lock_for_booking()
        if self.state != "active":
            raise self._booking_refusal("inactive")
        blocked = self._get_booking_block_reason()
        if blocked:
            raise self._booking_refusal(blocked)
        task = self._get_current_booking_task()
        if task and task.scheduled_start == slot_start and (not technician or task.technician_id == technician):
            return UNCHANGED, task  # a double click, or the office confirming what is booked
        if task and by == BY_CLIENT:
            if seen_start is not None and not seen_start.strip():
                raise self._booking_refusal("already_booked")
            if task.state == "scheduled" and not self._booking_change_allowed():
                raise self._booking_refusal("cutoff")
        if task and task.state != "scheduled":
            raise self._booking_refusal("started")

        settings = self._get_booking_settings()
        now = fields.Datetime.now()
        min_notice = 0 if ignore_min_notice else settings["min_notice_hours"]
        reason = booking_slots.check_slot_start(
            slot_start,
            now,
            self._get_booking_tz(),
            min_notice_hours=min_notice,
            horizon_days=settings["horizon_days"],
            grid_minutes=settings["grid_minutes"],
        )
        if not reason and by == BY_CLIENT and slot_start < (self._get_booking_opens_at() or slot_start):
            reason = "not_open"
        if reason:
            raise self._booking_refusal(reason)
        for_client = by == BY_CLIENT
        slot = self._find_free_slot(slot_start, now, min_notice, for_client=for_client)
        technician = self._pick_technician(slot, technician)
        # a booking of this technician committed since our snapshot makes this one replay
        self._lock_technician_schedule(technician)
        try:
            with self.env.cr.savepoint():
                if task:
                    self._move_booking(task, slot, technician, by)
                    return MOVED, task
                return BOOKED, self._create_booking(slot, technician, by)
        except TaskOverlapError:
            # the exclusion constraint: someone booked this technician meanwhile
            raise self._booking_refusal("taken") from None

    def _find_free_slot(self, slot_start, now, min_notice, for_client=False):
        """The free slot starting at ``slot_start``; refuses ("taken" when someone else's
        booking is in the way, else "unavailable") when there is none."""
        slots = self._get_available_slots(now=now, min_notice_hours=min_notice, for_client=for_client)
        slot = next((slot for slot in slots if slot["start"] == slot_start), None)
        if slot:
            return slot
        taken = self._slot_taken_by_others(slot_start, now, min_notice, for_client=for_client)
        raise self._booking_refusal("taken" if taken else "unavailable")

    def cancel_booking(self, *, by=BY_OFFICE, notify=True):
        """Cancel this cycle's visit: its task, calendar event and repair order, at once.

        Same door as ``book_slot``: the client's link (``by="client"``, until the cut-off) or
        office staff who may write the contract; everyone else gets an ``AccessError``. If the
        repair order cannot be cancelled (work already recorded on it), nothing is cancelled and
        the reason is given. The chatter says so and the client is emailed (``notify``).

        :return: ``{"status": "cancelled" | "unchanged", "task_id": id or False}``
        """
        self.ensure_one()
        self.check_access("write")
        if by not in (BY_CLIENT, BY_OFFICE):
            raise UserError(self.env._("Unknown booking channel: %s", by))
        contract = self.sudo()
        contract._lock_for_booking()
        task = contract._get_current_booking_task()
        if not task:
            return {"status": UNCHANGED, "task_id": False}
        if task.state != "scheduled":
            raise contract._booking_refusal("started")
        if by == BY_CLIENT and not contract._booking_change_allowed():
            raise contract._booking_refusal("cutoff")
        when = contract._format_booking_datetime(task.scheduled_start)
        ics = contract._get_booking_ics(task, cancelled=True)
        try:
            with self.env.cr.savepoint():
                # the task cancels its calendar event and repair order and frees the contract
                task.with_context(no_mail_to_attendees=True)._action_cancel()
        except UserError as error:
            _logger.info("Visit %s of %s not cancelled: %s", task.name, contract.name, error)
            if by == BY_CLIENT:
                raise contract._booking_refusal("not_cancellable") from None
            raise UserError(
                self.env._(
                    "The visit %(task)s was not cancelled, because its repair order %(repair)s cannot be "
                    "cancelled: %(reason)s",
                    task=task.name,
                    repair=task.repair_order_id.name,
                    reason=error.args[0] if error.args else error,
                )
            ) from None
        contract.message_post(
            body=self.env._("Maintenance visit of %s cancelled; the client can book again.", when),
            subtype_xmlid="mail.mt_note",
            **contract._get_booking_note_author(by),
        )
        if notify:
            self._send_booking_cancellation(task, ics)
        return {"status": CANCELLED, "task_id": task.id}

    # ------------------------------------------------------------------
    # Inside the door
    # ------------------------------------------------------------------

    def _lock_for_booking(self):
        """Lock the contract row until the end of the transaction, *waiting* for a
        concurrent booking of the same contract (``lock_for_update`` skips locked rows and
        would refuse a double click instead of letting it find the finished booking). If the
        other transaction changed the row, PostgreSQL reports a serialization failure and
        Odoo replays the request, which then sees the booking."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    def _lock_technician_schedule(self, technician):
        """Queue the bookings of one technician, and make a booking that started before
        another one of the same technician committed start again.

        Odoo's transactions read one snapshot (REPEATABLE READ): after waiting for a lock, a
        booking would still not see the visit committed meanwhile next to its slot, and the
        exclusion constraint only guards the visit itself, not the travel buffer around it. So
        every booking bumps its technician's row of ``fusion_technician_booking_lock``: the
        second one waits for the first, then PostgreSQL refuses the bump (serialization
        failure), Odoo replays the request on a fresh snapshot, and the re-check of
        availability sees the first visit with its buffer ("That time was just taken")."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO fusion_technician_booking_lock (technician_id, bumped_at)
                VALUES (%s, now() at time zone 'UTC')
                ON CONFLICT (technician_id) DO UPDATE SET bumped_at = EXCLUDED.bumped_at
                """,
                technician.id,
            )
        )

    def _pick_technician(self, slot, technician=None):
        """The technician for ``slot``: the requested one if they can take it, else the
        least-loaded one on that local day (ties: the one already assigned, then the oldest
        account)."""
        self.ensure_one()
        candidates = self.env["res.users"].sudo().browse(slot["technician_ids"])
        if technician:
            if technician.id not in slot["technician_ids"]:
                raise UserError(
                    self.env._(
                        "%(technician)s cannot take this visit at that time. Choose another technician or time.",
                        technician=technician.name,
                    )
                )
            return technician
        tz_name = self._get_booking_tz()
        day_start, day_end = booking_slots.local_day_bounds_utc(
            booking_slots.to_local(slot["start"], tz_name).date(), tz_name
        )
        load = self.env["fusion.technician.task"].sudo()._technician_load(candidates, day_start, day_end)
        current = self._get_current_booking_task().technician_id
        return min(candidates, key=lambda user: (load.get(user.id, 0), user != current, user.id))

    def _prepare_booking_description(self):
        self.ensure_one()
        lines = [
            self.env._("Maintenance of %s", self.product_id.display_name),
            self.env._("Serial number: %s", self.serial_display) if self.serial_display else "",
            self.env._("Contract: %s", self.name),
        ]
        return Markup("<br/>").join(line for line in lines if line)

    def _prepare_booking_task_values(self, slot, technician):
        self.ensure_one()
        return {
            "task_type": "maintenance",
            "technician_id": technician.id,
            "partner_id": self.partner_id.id,
            "scheduled_start": slot["start"],
            "scheduled_end": slot["end"],
            "maintenance_contract_id": self.id,
            "notes": self._prepare_booking_description(),
            "company_id": self.company_id.id,
        }

    def _prepare_booking_event_values(self, task):
        self.ensure_one()
        return {
            "name": self.env._(
                "Maintenance of %(equipment)s for %(client)s",
                equipment=self.product_id.name,
                client=self.partner_id.name,
            ),
            "start": task.scheduled_start,
            "stop": task.scheduled_end,
            "user_id": task.technician_id.id,
            "partner_ids": [Command.set((task.technician_id.partner_id | self.partner_id).ids)],
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "location": ", ".join(self._get_client_address_lines()),
            "description": self._prepare_booking_description(),
            "show_as": "busy",
            # it names the client and their address: only its attendees read it
            "privacy": "private",
            # no "meeting" activity on the contract: the task is the to-do
            "activity_ids": [Command.clear()],
        }

    def _prepare_booking_repair_values(self, task):
        self.ensure_one()
        lot = self.lot_id if self.lot_id.product_id == self.product_id else self.lot_id.browse()
        return {
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "lot_id": lot.id,
            "schedule_date": task.scheduled_start,
            "user_id": task.technician_id.id,
            "company_id": self.company_id.id,
            "internal_notes": self._prepare_booking_description(),
        }

    def _create_booking(self, slot, technician, by):
        """Create the task, its calendar event and its repair order, all linked."""
        self.ensure_one()
        no_mail = {"no_mail_to_attendees": True, "mail_create_nolog": True}
        task = (
            self.env["fusion.technician.task"]
            .sudo()
            .with_context(**no_mail)
            .create(self._prepare_booking_task_values(slot, technician))
        )
        event = (
            self.env["calendar.event"].sudo().with_context(**no_mail).create(self._prepare_booking_event_values(task))
        )
        repair = (
            self.env["repair.order"]
            .sudo()
            .with_company(self.company_id)
            .create(self._prepare_booking_repair_values(task))
        )
        task.with_context(**no_mail).write({"calendar_event_id": event.id, "repair_order_id": repair.id})
        self.env["fusion.repair.maintenance.visit"]._create_for_task(task, self)
        self.write({"task_id": task.id, "calendar_event_id": event.id, "repair_order_id": repair.id})
        self.message_post(
            body=self.env._(
                "Maintenance visit booked for %(when)s with %(technician)s (%(task)s).",
                when=self._format_booking_datetime(task.scheduled_start),
                technician=technician.name,
                task=task.name,
            ),
            subtype_xmlid="mail.mt_note",
            **self._get_booking_note_author(by),
        )
        return task

    def _move_booking(self, task, slot, technician, by):
        """Move the booked visit: the same task, event and repair order, new time. The
        calendar file's sequence grows with the move, which tells the task that the booking
        service follows the move up itself (see ``fusion.technician.task.write``)."""
        self.ensure_one()
        old_start = task.scheduled_start
        task.sudo().with_context(no_mail_to_attendees=True).write(
            {
                "scheduled_start": slot["start"],
                "scheduled_end": slot["end"],
                "technician_id": technician.id,
                "booking_ics_sequence": task.booking_ics_sequence + 1,
            }
        )
        self._sync_moved_visit(task, old_start, by=by)
        return task

    def _sync_moved_visit(self, task, old_start, by=BY_OFFICE):
        """After ``task`` (this cycle's visit) moved from ``old_start``: its repair order
        follows and the chatter says so."""
        self.ensure_one()
        task = task.sudo()
        repair = task.repair_order_id.sudo()
        if repair and repair.state not in ("done", "cancel"):
            repair.write({"schedule_date": task.scheduled_start, "user_id": task.technician_id.id})
        self.sudo().message_post(
            body=self.env._(
                "Maintenance visit moved from %(old)s to %(new)s with %(technician)s.",
                old=self._format_booking_datetime(old_start),
                new=self._format_booking_datetime(task.scheduled_start),
                technician=task.technician_id.name,
            ),
            subtype_xmlid="mail.mt_note",
            **self._get_booking_note_author(by),
        )

    # ------------------------------------------------------------------
    # Office buttons
    # ------------------------------------------------------------------

    def action_open_booking_wizard(self):
        self.ensure_one()
        self.check_access("write")
        if self.state != "active":
            raise UserError(self.env._("%s is not active: resume it before booking a visit.", self.display_name))
        if self._get_booking_block_reason() == "out_of_service":
            raise UserError(
                self.env._(
                    "%s is out of service: its corrective repair must be done (or the unit returned to"
                    " service) before a maintenance visit is booked.",
                    self.display_name,
                )
            )
        blocked = self._get_booking_block_reason()
        if blocked:
            raise self._booking_refusal(blocked)
        # created now: its free times are real records the day/time pickers filter
        wizard = self.env["fusion.repair.maintenance.booking.wizard"].create({"contract_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reschedule Maintenance") if self.is_booked else self.env._("Book Maintenance"),
            "res_model": "fusion.repair.maintenance.booking.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_cancel_booking(self):
        for contract in self:
            contract.cancel_booking(by=BY_OFFICE)
        return True
