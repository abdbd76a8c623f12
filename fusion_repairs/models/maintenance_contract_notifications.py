from datetime import timedelta

import pytz

from odoo import SUPERUSER_ID, fields, models

from ..lib import booking_slots
from .safe_steps import post_client_email, try_step

try:
    import vobject
except ImportError:  # optional, as in the calendar module (no .ics without it)
    vobject = None


class FusionRepairMaintenanceContract(models.Model):
    """What the client is told: the visit in words, its calendar file and the emails."""

    _inherit = "fusion.repair.maintenance.contract"

    def _get_visit_preparation_items(self):
        """What the client should do before the technician comes (page and email)."""
        self.ensure_one()
        equipment = self.product_id.name or self.env._("equipment")
        items = [
            self.env._(
                "Make sure the technician can reach your %s, with about a metre of clear space around it.",
                equipment,
            ),
            self.env._("Have an adult at home for the whole arrival window and the visit."),
            self.env._("Keep pets in another room during the visit."),
            self.env._("Note any noise, error message or problem you have noticed, so the technician can check it."),
        ]
        equipment_class = self._get_booking_category().equipment_class
        if equipment_class in ("mobility_power", "lift_elevating"):
            items.insert(1, self.env._("Charge it fully the day before, and have any keys or remote controls ready."))
        return items

    def _get_booking_note_author(self, by):
        """``message_post`` author of a booking note: the client for their own web actions
        (not "Public user"), else the current user."""
        if by == booking_slots.BY_CLIENT and self.partner_id:
            return {"author_id": self.partner_id.id}
        return {}

    def _get_client_lang(self):
        """The language of what the client reads (pages, emails, calendar file, dates): the one
        the booking page was switched to (``fusion_client_lang`` in the context), else the
        client's own (partner ``lang``), else the current one."""
        return self.env.context.get("fusion_client_lang") or self.partner_id.lang or self.env.lang or "en_CA"

    def _format_booking_datetime(self, value, lang=None):
        """A naive UTC datetime in words, in the booking zone (for notes and emails; in the
        client's language unless ``lang`` is given)."""
        return booking_slots.format_datetime_words(value, self._get_booking_tz(), lang or self._get_client_lang())

    def _format_client_amount(self, amount):
        """An amount of the contract's currency, written for the client: "$149.00", "149,00 $"."""
        currency = self.currency_id or self.env.company.currency_id
        return booking_slots.format_money(amount, currency.name, self._get_client_lang(), symbol=currency.symbol)

    def _get_due_date_label(self):
        """When maintenance is due, in the client's words: "Friday, July 10, 2026"."""
        return booking_slots.format_day_date(self.next_due_date, self._get_client_lang())

    def _get_client_address_lines(self):
        """The visit address, one line per part, without the empty ones."""
        address = self.partner_id._display_address(without_company=True)
        return [line.strip() for line in address.splitlines() if line.strip()]

    def _get_booking_summary(self, task=None):
        """What the client is told about a visit (page, emails, .ics): the booked one, or
        ``task`` (e.g. the one just cancelled)."""
        self.ensure_one()
        task = (task or self._get_current_booking_task()).sudo()
        if not task:
            return {}
        tz_name = self._get_booking_tz()
        lang = self._get_client_lang()
        settings = self._get_booking_settings()
        start, window_end = booking_slots.arrival_window(task.scheduled_start, settings["arrival_window_minutes"])
        deadline = task.scheduled_start - timedelta(hours=settings["cutoff_hours"])
        deadline_time = booking_slots.format_time(deadline, tz_name, lang)
        address_lines = self._get_client_address_lines()
        return {
            "task": task,
            "day_label": booking_slots.format_day(start, tz_name, lang),
            "window_label": booking_slots.format_window(start, window_end, tz_name, lang),
            "window_start_label": booking_slots.format_time(start, tz_name, lang),
            "window_end_label": booking_slots.format_time(window_end, tz_name, lang),
            "tz_label": booking_slots.timezone_label(tz_name, lang),
            "technician_first_name": booking_slots.first_name(task.technician_id.name),
            "address": "\n".join(address_lines),
            "address_lines": address_lines,
            "change_deadline": deadline,
            "can_change": task == self._get_current_booking_task() and self._booking_change_allowed(),
            "duration_label": booking_slots.format_duration(self._get_visit_duration_hours(), lang),
            "change_deadline_label": "%s, %s" % (booking_slots.format_day(deadline, tz_name, lang), deadline_time),
            # a full stop after the label, unless it already ends with one ("9:00 a.m.")
            "change_deadline_stop": "" if deadline_time.endswith(".") else ".",
        }

    def _get_booking_ics(self, task, cancelled=False):
        """The client's .ics of ``task``'s visit, written for the client: the company organizes
        it, the client attends, and the text is what the confirmation email says (equipment,
        arrival window, the technician's first name, the office phone, how to prepare). No
        technician email, internal code or contract reference. The UID is stable, so that a
        move (higher ``SEQUENCE``) or the cancellation (``METHOD:CANCEL``) replaces or removes
        the same event in the client's calendar. The event spans the time the client must be
        at home: from the start of the arrival window to its end plus the visit length (a
        technician arriving at 9:00 for a 1 h 30 visit stays until 10:30)."""
        self.ensure_one()
        task = task.sudo()
        if vobject is None or not task or not task.scheduled_start or not task.scheduled_end:
            return None
        # in the language of the email it goes with (the client's own), whoever sends it
        email_lang = self.partner_id.lang or self.env.lang
        contract = self.sudo().with_context(lang=email_lang, fusion_client_lang=email_lang)
        company = contract.company_id or self.env.company
        summary = contract._get_booking_summary(task)
        event_start, event_end = contract._get_booking_ics_span(task)
        calendar = vobject.iCalendar()
        calendar.add("prodid").value = "-//%s//Maintenance visits//EN" % (company.name or "Odoo").replace("//", "/")
        if cancelled:
            calendar.add("method").value = "CANCEL"
        vevent = calendar.add("vevent")
        uid = "fusion-maintenance-%s-%s@%s" % (
            task.id,
            self.id,
            self.env["ir.config_parameter"].sudo().get_param("database.uuid", "odoo"),
        )
        sequence = task.booking_ics_sequence + (1 if cancelled else 0)
        now = fields.Datetime.now().replace(tzinfo=pytz.utc)
        vevent.add("uid").value = uid
        vevent.add("sequence").value = str(sequence)
        vevent.add("dtstamp").value = now
        vevent.add("created").value = now
        vevent.add("dtstart").value = event_start.replace(tzinfo=pytz.utc)
        vevent.add("dtend").value = event_end.replace(tzinfo=pytz.utc)
        vevent.add("summary").value = contract.env._(
            "Maintenance visit of your %(equipment)s (%(company)s)",
            equipment=contract.product_id.name or contract.env._("equipment"),
            company=company.name,
        )
        vevent.add("description").value = contract._get_booking_ics_description(
            summary,
            cancelled=cancelled,
            home_until_label=booking_slots.format_time(
                event_end, contract._get_booking_tz(), contract._get_client_lang()
            ),
        )
        if summary.get("address_lines"):
            vevent.add("location").value = ", ".join(summary["address_lines"])
        if company.email:
            organizer = vevent.add("organizer")
            organizer.value = "MAILTO:%s" % company.email
            organizer.params["CN"] = [(company.name or "").replace('"', "'")]
        if contract.partner_id.email:
            attendee = vevent.add("attendee")
            attendee.value = "MAILTO:%s" % contract.partner_id.email
            attendee.params["CN"] = [(contract.partner_id.name or "").replace('"', "'")]
        vevent.add("status").value = "CANCELLED" if cancelled else "CONFIRMED"
        return calendar.serialize().encode()

    def _get_booking_ics_span(self, task):
        """(start, end) of the client's calendar entry, naive UTC: from the start of the arrival
        window to the end of the window plus the visit length (the task's own length)."""
        self.ensure_one()
        window_start, window_end = booking_slots.arrival_window(
            task.scheduled_start, self._get_booking_settings()["arrival_window_minutes"]
        )
        return window_start, window_end + (task.scheduled_end - task.scheduled_start)

    def _get_booking_ics_description(self, summary, cancelled=False, home_until_label=None):
        """The plain text of the client's calendar entry (see ``_get_booking_ics``);
        ``home_until_label``: when the entry ends (window end plus the visit length)."""
        self.ensure_one()
        phone = (self.company_id or self.env.company).phone
        lines = []
        if cancelled:
            lines += [self.env._("This maintenance visit has been cancelled."), ""]
        lines.append(
            booking_slots.end_sentence(
                self.env._(
                    "Arrival window: %(day)s, %(window)s %(zone)s",
                    day=summary["day_label"],
                    window=summary["window_label"],
                    zone=summary["tz_label"],
                )
            )
        )
        lines.append(booking_slots.end_sentence(self.env._("The visit takes about %s", summary["duration_label"])))
        if home_until_label and not cancelled:
            lines.append(
                booking_slots.end_sentence(
                    self.env._(
                        "This calendar entry covers the whole arrival window plus the visit: please be"
                        " at home from %(start)s until about %(end)s",
                        start=summary["window_start_label"],
                        end=home_until_label,
                    )
                )
            )
        if summary["technician_first_name"]:
            lines.append(self.env._("Your technician: %s.", summary["technician_first_name"]))
        if phone:
            lines.append(self.env._("Questions, or need to change the visit? Call us at %s.", phone))
        if not cancelled:
            lines += ["", self.env._("How to prepare:")]
            lines += ["- %s" % item for item in self._get_visit_preparation_items()]
        return "\n".join(lines)

    def _get_cancelled_booking_summary(self):
        """The visit just cancelled (cancellation email), from the sending context."""
        self.ensure_one()
        task = self.env["fusion.technician.task"].sudo().browse(self.env.context.get("fusion_cancelled_task_id"))
        return self._get_booking_summary(task) if task.exists() else {}

    def _send_booking_confirmation(self, task=None, moved=False):
        """Email the client the booked (or moved: ``moved=True``) visit, with an .ics."""
        self.ensure_one()
        task = task or self._get_current_booking_task()
        if not task:
            return self.env["mail.message"]
        return self._send_booking_email(
            "fusion_repairs.email_template_maintenance_booking_confirmed",
            self._get_booking_ics(task),
            fusion_booking_moved=moved,
        )

    def _send_booking_cancellation(self, task, ics=None):
        """Email the client that ``task``'s visit is cancelled, with a cancelling .ics."""
        self.ensure_one()
        return self._send_booking_email(
            "fusion_repairs.email_template_maintenance_booking_cancelled",
            ics,
            fusion_cancelled_task_id=task.id,
        )

    def _send_booking_email(self, template_xmlid, ics=None, **context):
        """Email the client about their booking (template ``template_xmlid``, optional .ics).

        Staff send it as themselves; from the public page it is sent in the company's name
        (by the system user: a public user may not attach files to a message). A mail problem
        never undoes the booking: it is noted on the contract.
        """
        self.ensure_one()
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template or not self._get_client_email_partners().filtered("email"):
            return self.env["mail.message"]
        contract = self.sudo() if self.env.user._is_internal() else self.with_user(SUPERUSER_ID).sudo()
        attachments = contract.env["ir.attachment"]
        if ics:
            attachments = attachments.create(
                {
                    "name": "maintenance-visit.ics",
                    "mimetype": "text/calendar",
                    "raw": ics,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        extra = {}
        if not self.env.user._is_internal():
            # an author alone makes the composer skip the template's sender: give both
            extra = {"author_id": contract.company_id.partner_id.id}
            email_from, _error = try_step(
                self.env.cr,
                lambda: template.sudo()._render_field("email_from", contract.ids)[contract.id],
                f"Sender of {template.display_name}",
            )
            if email_from:
                extra["email_from"] = email_from
        message, error = contract.with_context(**context)._post_client_email(
            template, attachment_ids=attachments.ids, **extra
        )
        if error:
            contract.message_post(
                body=self.env._("The email to the client could not be sent: %s", error),
                subtype_xmlid="mail.mt_note",
            )
        return message

    def _post_client_email(self, template, **values):
        """Post ``template`` on the chatter, emailed to the client only: the contract's
        followers (e.g. the responsible) get no copy, nor the record's suggested recipients (the
        company). Inside a savepoint: a mail problem leaves nothing half-done.

        :return: ``(mail.message, None)``, or ``(empty mail.message, exception)`` on a mail
            problem; a passing database error (``TRANSIENT_DB_ERRORS``) is raised
        """
        self.ensure_one()
        message, error = post_client_email(self, template, self._get_client_email_partners(), **values)
        return message or self.env["mail.message"], error

    def _get_client_email_partners(self):
        """Who receives the client emails of this contract (the client; see the family file)."""
        self.ensure_one()
        return self.partner_id
