import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date
from odoo.tools.misc import str2bool

from ..lib import booking_slots, followup_rules
from ..lib.booking_slots import BOOKED, BY_CLIENT, BY_OFFICE, MOVED
from ..lib.followup_rules import OVERDUE, QUALIFIES, UNBOOKED
from .safe_steps import TRANSIENT_DB_ERRORS, try_step

_logger = logging.getLogger(__name__)

FOLLOWUP_BATCH_SIZE = 100

FOLLOWUP_ACTIVITY_TYPES = {
    UNBOOKED: "fusion_repairs.mail_activity_type_maintenance_call_to_book",
    OVERDUE: "fusion_repairs.mail_activity_type_maintenance_overdue",
}
# the due date for which each follow-up was raised: staff who mark it done are not asked again
# in the same cycle (a booking, or a new due date, starts over)
FOLLOWUP_STAMP_FIELDS = {
    UNBOOKED: "followup_unbooked_due_date",
    OVERDUE: "followup_overdue_due_date",
}
FOLLOWUP_SETTINGS = {
    UNBOOKED: "fusion_repairs.followup_unbooked_enabled",
    OVERDUE: "fusion_repairs.followup_overdue_enabled",
}
ESCALATION_DAYS_PARAM = "fusion_repairs.followup_escalation_days"


class FusionRepairMaintenanceContract(models.Model):
    """Office follow-up (SPEC flow 7): two daily jobs that give the office a to-do when a client
    does not book (`Call to book maintenance`) or the unit is overdue (`Overdue maintenance`,
    escalated after a number of days). The date rules live in ``lib/followup_rules.py``."""

    _inherit = "fusion.repair.maintenance.contract"

    followup_unbooked_due_date = fields.Date(
        string="Call to Book Raised For",
        readonly=True,
        copy=False,
        help="Due date for which the office was last asked to call the client to book.",
    )
    followup_overdue_due_date = fields.Date(
        string="Overdue Follow-up Raised For",
        readonly=True,
        copy=False,
        help="Due date for which the office was last told that the maintenance is overdue.",
    )
    followup_escalated_due_date = fields.Date(
        string="Overdue Escalated For",
        readonly=True,
        copy=False,
        help="Due date whose overdue follow-up was escalated to the company's escalation user.",
    )

    # ------------------------------------------------------------------
    # Settings and people
    # ------------------------------------------------------------------

    @api.model
    def _get_followup_settings(self):
        """The follow-up settings: each job on or off (on by default), and the days overdue
        after which the overdue follow-up is escalated (0 = never)."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        settings = {kind: str2bool(get_param(key, "True") or "True", True) for kind, key in FOLLOWUP_SETTINGS.items()}
        settings["escalation_days"] = followup_rules.parse_escalation_days(
            get_param(ESCALATION_DAYS_PARAM, str(followup_rules.DEFAULT_ESCALATION_DAYS))
        )
        return settings

    def _get_followup_escalation_user(self):
        """Who gets escalated overdue follow-ups: the company's "Escalate to" user (Settings >
        Maintenance), else its first active Field Service manager, else the administrator."""
        self.ensure_one()
        return (self.company_id or self.env.company)._fc_get_followup_escalation_user()

    def _get_followup_user(self):
        """Who follows this contract up: its responsible when they are an active internal user,
        else the escalation user of its company."""
        self.ensure_one()
        user = self.sudo().user_id
        if user and user.active and not user.share:
            return user
        return self._get_followup_escalation_user()

    # ------------------------------------------------------------------
    # The daily jobs (private: never callable over RPC)
    # ------------------------------------------------------------------

    @api.model
    def _cron_maintenance_unbooked_followup(self, batch_size=None):
        """Daily: "Call to book maintenance" for each active contract whose last reminder has
        passed without a booking (Settings > Maintenance > Follow-up)."""
        return self._run_followup_job(UNBOOKED, batch_size=batch_size)

    @api.model
    def _cron_maintenance_overdue_followup(self, batch_size=None):
        """Daily: "Overdue maintenance" for each active contract past its due date with no
        visit, escalated after the configured number of days."""
        return self._run_followup_job(OVERDUE, batch_size=batch_size)

    @api.model
    def _get_followup_domain(self, kind, today, bands, activity_type):
        """Contracts the ``kind`` job looks at: those that may need its activity, and those
        that still have one open (to close it when it is no longer needed)."""
        if kind == UNBOOKED:
            due = Domain("next_due_date", "<", today + timedelta(days=min(bands)))
        else:
            due = Domain("next_due_date", "<", today)
        candidates = Domain("state", "=", "active") & Domain("is_booked", "=", False) & due
        return candidates | Domain("activity_ids.activity_type_id", "=", activity_type.id)

    @api.model
    def _run_followup_job(self, kind, batch_size=None):
        """Bring the ``kind`` follow-up of every contract up to date, in batches of
        ``batch_size`` committed one by one. Each contract runs in its own savepoint: one that
        fails is logged and skipped (the next run tries again), the others go on."""
        if not self._get_followup_settings()[kind]:
            self.env["ir.cron"]._commit_progress(remaining=0)
            return False
        activity_type = self.env.ref(FOLLOWUP_ACTIVITY_TYPES[kind], raise_if_not_found=False)
        if not activity_type:
            _logger.warning("Maintenance follow-up %s: its activity type is missing", kind)
            self.env["ir.cron"]._commit_progress(remaining=0)
            return False
        contracts_model = self.sudo()
        settings = self._get_followup_settings()
        bands = self._get_reminder_bands()
        today = fields.Date.context_today(self)
        domain = contracts_model._get_followup_domain(kind, today, bands, activity_type)
        batch_size = batch_size or FOLLOWUP_BATCH_SIZE
        last_id = 0
        while True:
            contracts = contracts_model.search(domain & Domain("id", ">", last_id), order="id", limit=batch_size)
            if not contracts:
                self.env["ir.cron"]._commit_progress(remaining=0)
                break
            for contract in contracts:
                contract._followup_isolated(kind, activity_type, today, bands, settings)
            last_id = contracts[-1].id
            remaining = contracts_model.search_count(domain & Domain("id", ">", last_id))
            time_left = self.env["ir.cron"]._commit_progress(len(contracts), remaining=remaining)
            if not remaining or time_left <= 0:
                break
        return True

    def _followup_isolated(self, kind, activity_type, today, bands, settings):
        """:meth:`_followup_sync` in a savepoint: a failure is logged and the job goes on."""
        self.ensure_one()
        name = self.display_name
        try:
            _result, error = try_step(
                self.env.cr,
                lambda: self._followup_sync(kind, activity_type, today, bands, settings),
                f"Maintenance follow-up ({kind}) of {name}",
            )
        except TRANSIENT_DB_ERRORS:
            _logger.info("Maintenance follow-up (%s) of %s deferred to the next run", kind, name, exc_info=True)
            return False
        if error:
            _logger.warning("Maintenance follow-up (%s) of %s skipped: %s", kind, name, error)
            return False
        return True

    def _get_followup_status(self, kind, today, bands):
        self.ensure_one()
        active, booked = self.state == "active", self.is_booked
        if kind == UNBOOKED:
            return followup_rules.unbooked_status(today, self.next_due_date, bands, active=active, booked=booked)
        return followup_rules.overdue_status(
            today, self.next_due_date, active=active, booked=booked, last_service=self.last_service_date
        )

    def _get_open_followup_activities(self, kinds=followup_rules.KINDS):
        """Open activities of the follow-up types ``kinds`` on these contracts (any author)."""
        types = self.env["mail.activity.type"]
        for kind in kinds:
            types |= self.env.ref(FOLLOWUP_ACTIVITY_TYPES[kind], raise_if_not_found=False) or types
        if not types or not self.ids:
            return self.env["mail.activity"].sudo()
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), ("activity_type_id", "in", types.ids)],
                order="id",
            )
        )

    def _followup_sync(self, kind, activity_type, today, bands, settings):
        """Raise, update or close this contract's ``kind`` activity as its status requires."""
        self.ensure_one()
        stamp_field = FOLLOWUP_STAMP_FIELDS[kind]
        status = self._get_followup_status(kind, today, bands)
        activities = self._get_open_followup_activities([kind])
        if status != QUALIFIES:
            if activities:
                activities.action_feedback(feedback=self._get_followup_close_reason(status))
                self.write({stamp_field: False})
            return False
        if not activities and self[stamp_field] == self.next_due_date:
            return False  # marked done by staff in this cycle: not asked again
        activity = activities[:1]
        due = self.next_due_date
        responsible = self._get_followup_user()
        user, escalate_now = responsible, False
        escalated = kind == OVERDUE and followup_rules.should_escalate(today, due, settings["escalation_days"])
        if escalated and self.followup_escalated_due_date != due:
            user, escalate_now = self._get_followup_escalation_user(), True
        elif activity:
            # staff may hand an open follow-up to a colleague: the job does not take it back
            user = activity.user_id or responsible
        elif escalated:
            user = self._get_followup_escalation_user()
        # in the language of the person who will read it
        values = self.with_context(lang=user.lang or self.env.lang)._prepare_followup_activity_values(
            kind, settings, user, responsible=responsible if escalated else None
        )
        if activity:
            if any(
                (activity[key].id if key == "user_id" else activity[key]) != values[key]
                for key in ("summary", "date_deadline", "user_id")
            ):
                activity.write(values)
        else:
            self.activity_schedule(FOLLOWUP_ACTIVITY_TYPES[kind], **values)
        stamps = {stamp_field: due} if self[stamp_field] != due else {}
        if escalate_now:
            stamps["followup_escalated_due_date"] = due
            if user != responsible:
                self.message_post(
                    body=self.env._(
                        "Overdue maintenance escalated to %(manager)s: due on %(due)s, still not booked "
                        "%(days)s days later (responsible: %(responsible)s).",
                        manager=user.name,
                        due=format_date(self.env, due, date_format="long"),
                        days=settings["escalation_days"],
                        responsible=responsible.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        if stamps:
            self.write(stamps)
        return True

    def _prepare_followup_activity_values(self, kind, settings, user, responsible=None):
        """``summary`` (the client's name and phone), ``note``, ``date_deadline`` and
        ``user_id`` of this contract's ``kind`` activity; ``responsible``: the contract's
        responsible when the overdue follow-up is escalated to ``user``."""
        self.ensure_one()
        due = self.next_due_date
        partner = self.partner_id
        phone = partner.phone
        if phone:
            summary = self.env._("Call %(client)s: %(phone)s", client=partner.name, phone=phone)
        else:
            summary = self.env._("Call %(client)s (no phone number on file)", client=partner.name)
        equipment = self.product_id.display_name
        if self.serial_display:
            equipment = self.env._("%(equipment)s, serial %(serial)s", equipment=equipment, serial=self.serial_display)
        due_words = format_date(self.env, due, date_format="long")
        if kind == UNBOOKED:
            deadline = followup_rules.unbooked_deadline(due)
            lines = [
                self.env._(
                    "%(client)s has not booked the maintenance of %(equipment)s, due on %(due)s.",
                    client=partner.name,
                    equipment=equipment,
                    due=due_words,
                ),
                self.reminder_summary + "."
                if self.reminder_band_sent
                else self.env._("No reminder was emailed in this cycle."),
            ]
        else:
            deadline = followup_rules.overdue_deadline(due, settings["escalation_days"])
            summary = self.env._("Overdue: %s", summary)
            lines = [
                self.env._(
                    "%(client)s: the maintenance of %(equipment)s was due on %(due)s and no visit is booked.",
                    client=partner.name,
                    equipment=equipment,
                    due=due_words,
                )
            ]
            if responsible:
                lines.append(
                    self.env._(
                        "Escalated %(days)s days after the due date; responsible: %(responsible)s.",
                        days=settings["escalation_days"],
                        responsible=responsible.name,
                    )
                )
        contact = [self.env._("Phone: %s", phone) if phone else self.env._("No phone number on file.")]
        if partner.email:
            contact.append(self.env._("Email: %s", partner.email))
        lines.append(" · ".join(contact))
        note = Markup("").join(Markup("<p>%s</p>") % line for line in lines)
        return {"summary": summary, "note": note, "date_deadline": deadline, "user_id": user.id}

    def _get_followup_close_reason(self, status):
        """The feedback of a follow-up closed because the contract no longer needs it."""
        self.ensure_one()
        if status == followup_rules.BOOKED:
            task = self._get_current_booking_task()
            if task:
                return self.env._("Booked for %s.", self._format_followup_datetime(task.scheduled_start))
            return self.env._("A visit is booked.")
        if status == followup_rules.NOT_ACTIVE:
            state = dict(self._fields["state"]._description_selection(self.env)).get(self.state, self.state)
            return self.env._("No longer needed: the contract is %s.", state.lower())
        if status == followup_rules.SERVICED:
            return self.env._(
                "No longer needed: serviced on %s.", format_date(self.env, self.last_service_date, date_format="long")
            )
        return self.env._(
            "No longer needed: next maintenance due on %s.",
            format_date(self.env, self.next_due_date, date_format="long"),
        )

    def _format_followup_datetime(self, value):
        """A visit's time in words for the office (the company zone, the reader's language)."""
        return booking_slots.format_datetime_words(value, self._get_booking_tz(), self.env.lang or "en_CA")

    # ------------------------------------------------------------------
    # Closed by themselves: a booking, a roll-forward
    # ------------------------------------------------------------------

    def book_slot(self, slot_start, technician=None, **kwargs):
        """The booking door (see ``maintenance_contract_booking.py``); a new booking also
        closes the office's follow-ups of this contract ("Booked for …")."""
        result = super().book_slot(slot_start, technician, **kwargs)
        if result.get("status") in (BOOKED, MOVED):
            self._close_followups_on_booking(by=kwargs.get("by", BY_OFFICE))
        return result

    def _close_followups_on_booking(self, by=BY_OFFICE):
        """Mark the open follow-ups done ("Booked for …", by the office user who booked, or by
        OdooBot for the client's own booking) and start their cycle over, so that a cancelled
        booking is followed up again. Never fails the booking: a problem is logged. Called after
        the booking door has checked who is booking: works in sudo."""
        self.ensure_one()
        contract = self.sudo()
        activities = contract._get_open_followup_activities()
        task = contract._get_current_booking_task()
        if not activities or not task:
            return False
        when = contract._format_followup_datetime(task.scheduled_start)
        if by == BY_CLIENT:
            feedback = self.env._("Booked online by the client for %s.", when)
            activities = activities.with_user(SUPERUSER_ID)
        else:
            feedback = self.env._(
                "Booked for %(when)s with %(technician)s.", when=when, technician=task.technician_id.name
            )

        def close():
            activities.action_feedback(feedback=feedback)
            contract._reset_followup_stamps()

        _result, error = try_step(self.env.cr, close, f"Closing the follow-ups of {contract.display_name}")
        return not error

    def _reset_followup_stamps(self):
        self.sudo().write(dict.fromkeys((*FOLLOWUP_STAMP_FIELDS.values(), "followup_escalated_due_date"), False))

    def _roll_forward(self, service_date, task=None, what=None):
        """A new cycle closes the previous one's follow-ups."""
        res = super()._roll_forward(service_date, task=task, what=what)
        for contract in self:
            activities = contract._get_open_followup_activities()
            if not activities:
                continue
            feedback = self.env._(
                "No longer needed: next maintenance due on %s.",
                format_date(self.env, contract.next_due_date, date_format="long"),
            )
            try_step(
                self.env.cr,
                lambda activities=activities, feedback=feedback: activities.action_feedback(feedback=feedback),
                f"Closing the follow-ups of {contract.display_name}",
            )
        return res
