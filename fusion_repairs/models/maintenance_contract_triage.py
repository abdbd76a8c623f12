"""Triage from the booking link: "Please call me instead" and "My equipment is not working or
feels unsafe". Each request becomes an activity for the office (the unsafe one urgent, due
today, with a draft repair order of the unit), noted on the contract's chatter.

Only the booking controller calls these methods (they are private: nobody reaches them over
``/web/dataset/call_kw``). A double click, or two tabs posting at once, creates one request: the
contract row is locked and a request of the same kind made a few minutes earlier is answered
again instead of being made twice; a link makes a few requests a day at most.
"""

from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import SUPERUSER_ID, fields, models
from odoo.tools import SQL

CALLBACK = "callback"
UNSAFE = "unsafe"
# what the client may choose: the time of day they would like to be called
TIMES_OF_DAY = ("morning", "afternoon", "evening")
# requests of one link per day (both kinds together)
DAILY_LIMIT = 3
# a request of the same kind within this delay is the same request (double click, reload)
DUPLICATE_MINUTES = 5
NOTE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 2000

ACTIVITY_TYPES = {
    CALLBACK: "fusion_repairs.mail_activity_type_client_callback",
    UNSAFE: "fusion_repairs.mail_activity_type_unsafe_equipment",
}

# statuses of a request
CREATED = "created"
DUPLICATE = "duplicate"
LIMIT = "limit"
INVALID = "invalid"


def clean_text(value, max_length):
    """The client's free text without control characters and outer spaces, or None when it is
    not text or longer than ``max_length`` (refused, never cut silently)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    text = "".join(char for char in value if char in "\n\t" or char.isprintable()).strip()
    return text if len(text) <= max_length else None


class FusionRepairMaintenanceContract(models.Model):
    _inherit = "fusion.repair.maintenance.contract"

    triage_last_request_at = fields.Datetime(
        string="Last Request From the Link",
        readonly=True,
        copy=False,
        help="When the client last asked to be called back or reported a problem from the booking link.",
    )

    # ------------------------------------------------------------------
    # Entry points (private: the booking controller only)
    # ------------------------------------------------------------------

    def _triage_request_callback(self, time_of_day, note=None):
        """The client asks to be called instead of booking online.

        :return: dict ``status`` (created / duplicate / limit / invalid) and ``activity``
        """
        self.ensure_one()
        note = clean_text(note, NOTE_MAX_LENGTH)
        if time_of_day not in TIMES_OF_DAY or note is None:
            return {"status": INVALID, "activity": self.env["mail.activity"]}
        return self._triage_create(CALLBACK, {"time_of_day": time_of_day, "note": note})

    def _triage_report_unsafe(self, description=None):
        """The client reports that the unit does not work or feels unsafe.

        :return: dict ``status``, ``activity`` and ``repair`` (the draft repair order)
        """
        self.ensure_one()
        description = clean_text(description, DESCRIPTION_MAX_LENGTH)
        if description is None:
            return {"status": INVALID, "activity": self.env["mail.activity"]}
        return self._triage_create(UNSAFE, {"description": description})

    # ------------------------------------------------------------------
    # Inside
    # ------------------------------------------------------------------

    def _triage_create(self, kind, values):
        # from the public page, in the system user's name (a public user owns no activity or note)
        contract = self.sudo() if self.env.user._is_internal() else self.with_user(SUPERUSER_ID).sudo()
        contract._triage_lock()
        now = fields.Datetime.now()
        recent = contract._triage_requests_since(now - timedelta(minutes=DUPLICATE_MINUTES)).filtered(
            lambda request: request.kind == kind
        )
        if recent:
            recent[:1]._triage_add_client_words(values.get("description") or values.get("note"))
            return {"status": DUPLICATE, "activity": recent[:1].activity_id, "repair": recent[:1].repair_id}
        if len(contract._triage_requests_since(contract._triage_day_start())) >= DAILY_LIMIT:
            return {"status": LIMIT, "activity": contract.env["mail.activity"], "repair": contract.env["repair.order"]}
        activity_type = contract.env.ref(ACTIVITY_TYPES[kind])
        repair = contract.env["repair.order"]
        if kind == UNSAFE:
            repair = contract._triage_create_repair(values["description"])
        activity = contract._triage_schedule_activity(kind, activity_type, values, repair)
        contract.env["fusion.repair.triage.request"].create(
            {
                "contract_id": contract.id,
                "kind": kind,
                "requested_at": now,
                "time_of_day": values.get("time_of_day"),
                "message": values.get("note") or values.get("description") or False,
                "activity_id": activity.id,
                "repair_id": repair.id,
            }
        )
        contract._triage_log(kind, values, activity, repair)
        # an update of the row: a concurrent request waiting on the lock is replayed and sees this one
        contract.triage_last_request_at = now
        return {"status": CREATED, "activity": activity, "repair": repair}

    def _triage_lock(self):
        """Lock the contract row until the end of the transaction, waiting for a concurrent
        request of the same link. That one updates the row (``triage_last_request_at``): once
        it commits, PostgreSQL refuses this lock (serialization failure) and Odoo replays the
        request, which then finds the first one as a duplicate."""
        self.env.cr.execute(
            SQL("SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE", SQL.identifier(self._table), tuple(self.ids))
        )
        self.invalidate_recordset(["triage_last_request_at"])

    def _triage_requests_since(self, since):
        """The requests made from this contract's link since ``since``, newest first."""
        self.ensure_one()
        return (
            self.env["fusion.repair.triage.request"]
            .sudo()
            .search([("contract_id", "=", self.id), ("requested_at", ">=", since)])
        )

    def _triage_day_start(self):
        """Midnight of today in the booking zone, as a naive UTC datetime."""
        tz = pytz.timezone(self._get_booking_tz())
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        return tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def _triage_today(self):
        return fields.Date.context_today(self.with_context(tz=self._get_booking_tz()))

    def _triage_time_of_day_label(self, time_of_day):
        return {
            "morning": self.env._("in the morning"),
            "afternoon": self.env._("in the afternoon"),
            "evening": self.env._("in the evening"),
        }.get(time_of_day, "")

    def _triage_office_user(self):
        self.ensure_one()
        if self.user_id and self.user_id.active and not self.user_id.share:
            return self.user_id
        return self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user

    def _triage_create_repair(self, description):
        """A draft repair order of the unit, with the client's words."""
        self.ensure_one()
        lot = self.lot_id if self.lot_id.product_id == self.product_id else self.lot_id.browse()
        responsible = self.user_id if self.user_id and not self.user_id.share else self.env["res.users"]
        notes = Markup("<p>%s</p>") % self.env._(
            "The client reported from the booking link (contract %s) that the equipment is not working or feels"
            " unsafe.",
            self.name,
        )
        if self.x_fc_device_serial and not lot:
            notes += Markup("<p>%s</p>") % self.env._("Serial number: %s", self.x_fc_device_serial)
        if description:
            notes += Markup("<p>%s</p><blockquote>%s</blockquote>") % (
                self.env._("In the client's words:"),
                Markup("<br/>").join(description.splitlines()),
            )
        return (
            self.env["repair.order"]
            .sudo()
            .with_company(self.company_id)
            .with_context(mail_create_nolog=True)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "product_id": self.product_id.id,
                    "lot_id": lot.id,
                    "company_id": self.company_id.id,
                    "user_id": responsible.id,
                    "priority": "1",
                    "x_fc_maintenance_contract_id": self.id,
                    "internal_notes": notes,
                }
            )
        )

    def _triage_schedule_activity(self, kind, activity_type, values, repair):
        self.ensure_one()
        phone = self.partner_id.phone or self.env._("no phone number on file")
        if kind == CALLBACK:
            when = self._triage_time_of_day_label(values["time_of_day"])
            summary = self.env._(
                "Call back %(client)s %(when)s: %(phone)s", client=self.partner_id.name, when=when, phone=phone
            )
            note = Markup("<p>%s</p>") % self.env._(
                "The client asked from the booking link to be called instead of booking online, preferably"
                " %(when)s, at %(phone)s.",
                when=when,
                phone=phone,
            )
            if values["note"]:
                note += Markup("<p>%s</p><blockquote>%s</blockquote>") % (
                    self.env._("Their note:"),
                    Markup("<br/>").join(values["note"].splitlines()),
                )
            deadline = self._triage_today() + timedelta(days=activity_type.delay_count or 0)
        else:
            summary = self.env._(
                "URGENT: %(equipment)s of %(client)s not working or unsafe: call %(phone)s",
                equipment=self.product_id.name,
                client=self.partner_id.name,
                phone=phone,
            )
            note = Markup("<p><strong>%s</strong></p><p>%s</p>") % (
                self.env._("URGENT"),
                self.env._(
                    "The client reported from the booking link that the equipment is not working or feels unsafe."
                    " They were told to stop using it. Call them today at %(phone)s; draft repair order %(repair)s.",
                    phone=phone,
                    repair=repair.name,
                ),
            )
            if values["description"]:
                note += Markup("<blockquote>%s</blockquote>") % Markup("<br/>").join(values["description"].splitlines())
            deadline = self._triage_today()
        return self.activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=note,
            date_deadline=deadline,
            user_id=self._triage_office_user().id,
        )

    def _triage_log(self, kind, values, activity, repair):
        """The request on the contract's chatter, with the repair order as a link."""
        self.ensure_one()
        if kind == CALLBACK:
            body = Markup("<p>%s</p>") % self.env._(
                "The client asked from the booking link to be called back %s.",
                self._triage_time_of_day_label(values["time_of_day"]),
            )
        else:
            body = Markup("<p>%s %s</p>") % (
                self.env._(
                    "URGENT: the client reported from the booking link that the equipment is not working or"
                    " feels unsafe. Draft repair order:"
                ),
                repair._get_html_link(),
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note", author_id=self.partner_id.id)
