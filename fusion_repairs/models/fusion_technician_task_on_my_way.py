""" "On my way": the technician of a maintenance visit tells the client (and the contract's
informed contacts) that they are coming, with their first name and the expected arrival time.
One email per trip: a second press within a few minutes sends nothing."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_list

from ..lib import booking_slots, on_my_way
from .safe_steps import post_client_email


class FusionTechnicianTask(models.Model):
    _inherit = "fusion.technician.task"

    on_my_way_sent_at = fields.Datetime(string="On My Way Sent", readonly=True, copy=False)
    on_my_way_arrival = fields.Datetime(string="Expected Arrival", readonly=True, copy=False)
    is_my_task = fields.Boolean(compute="_compute_is_my_task")

    def _get_dispatcher_only_fields(self):
        return super()._get_dispatcher_only_fields() | {"on_my_way_sent_at", "on_my_way_arrival"}

    def _compute_is_my_task(self):
        for task in self:
            task.is_my_task = task.technician_id == self.env.user

    # ------------------------------------------------------------------
    # Button and door
    # ------------------------------------------------------------------

    def action_on_my_way(self):
        """Open the small "On my way" wizard (how long until arrival)."""
        self.ensure_one()
        self.check_access("write")  # own tasks only, for a technician
        self._check_on_my_way_allowed()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("On My Way"),
            "res_model": "fusion.technician.task.on.my.way",
            "view_mode": "form",
            "target": "new",
            "context": {"default_task_id": self.id},
        }

    def _check_on_my_way_allowed(self):
        """The assigned technician (or a dispatcher), on the day of a scheduled or started
        maintenance visit with a client to tell."""
        self.ensure_one()
        if self.technician_id != self.env.user and not self._is_dispatcher():
            raise AccessError(self.env._("Only the technician of this visit can say they are on the way."))
        if self.task_type != "maintenance" or not self.maintenance_contract_id:
            raise UserError(self.env._("The client is told you are on the way for maintenance visits only."))
        if self.state not in ("scheduled", "in_progress"):
            raise UserError(self.env._("This visit is not scheduled any more: the client was not emailed."))
        if not self.planned_day_reached:
            raise UserError(self.env._("This visit is not planned for today: the client was not emailed."))

    def _send_on_my_way(self, minutes):
        """Email the client that the technician arrives in about ``minutes`` (the caller
        checked the access). Returns ``(sent, message)``: ``True``, ``False`` when a second
        call within ``REPEAT_WINDOW_MINUTES`` is the same trip and sends nothing, ``None`` when
        the email could not be sent (a note on the task says why)."""
        self.ensure_one()
        self._check_on_my_way_allowed()
        try:
            minutes = int(minutes)
            now = fields.Datetime.now()
            arrival = on_my_way.expected_arrival(now, minutes)
        except (TypeError, ValueError):
            raise UserError(self.env._("Choose how long until you arrive.")) from None
        task = self.sudo()
        # a double click waits for the first one, then finds its email
        task._lock_on_my_way()
        if on_my_way.is_same_trip(task.on_my_way_sent_at, now):
            return False, task._get_on_my_way_repeat_message()
        recipients = task._get_on_my_way_recipients()
        if not recipients:
            raise UserError(self.env._("The client has no email address: please call them instead."))
        task.write({"on_my_way_sent_at": now, "on_my_way_arrival": arrival})
        template = self.env.ref("fusion_repairs.email_template_maintenance_on_my_way")
        # the technician posts it; it comes from the office's address (replies reach the office).
        # Both are given: a composer given only an author renders no sender address.
        email_from = template._render_field("email_from", task.ids)[task.id]
        _message, error = post_client_email(
            task, template, recipients, author_id=self.env.user.partner_id.id, email_from=email_from
        )
        if error:
            task.message_post(
                body=self.env._('The "on my way" email could not be sent: %s', error), subtype_xmlid="mail.mt_note"
            )
            # not this trip's email after all: a new press may try again
            task.write({"on_my_way_sent_at": False, "on_my_way_arrival": False})
            return None, self.env._("The email could not be sent. Please call the client instead.")
        return True, booking_slots.end_sentence(
            self.env._(
                "%(client)s was told you will arrive around %(time)s",
                client=format_list(self.env, recipients.mapped("name")),
                time=task._get_on_my_way_arrival_label(self.env.lang or self.env.user.lang),
            )
        )

    def _lock_on_my_way(self):
        """Lock the task row until the end of the transaction, waiting for a concurrent press
        (a serialization failure then replays the request, which sees the first email)."""
        self.env.cr.execute(
            SQL("SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE", SQL.identifier(self._table), tuple(self.ids))
        )
        self.invalidate_recordset(["on_my_way_sent_at", "on_my_way_arrival"])

    def _get_on_my_way_recipients(self):
        """The client and the contract's informed contacts, those with an email address."""
        self.ensure_one()
        contract = self.sudo().maintenance_contract_id
        partners = contract.partner_id or self.partner_id
        if contract._fields.get("informed_partner_ids"):
            partners |= contract.informed_partner_ids
        return partners.filtered("email")

    def _get_on_my_way_tz(self):
        self.ensure_one()
        contract = self.sudo().maintenance_contract_id
        return contract._get_booking_tz() if contract else self._get_company_tz().zone

    def _get_on_my_way_lang(self):
        """The client's language (that of the email): the contract's client's, else the task's."""
        self.ensure_one()
        task = self.sudo()
        contract = task.maintenance_contract_id
        return contract._get_client_lang() if contract.partner_id else task.partner_id.lang or self.env.lang

    def _get_on_my_way_arrival_label(self, lang=None):
        """ "2:35 p.m." ("14 h 35" in French) in the visit's time zone, in the client's language
        unless ``lang`` is given (the technician's, for their own messages)."""
        self.ensure_one()
        lang = lang or self._get_on_my_way_lang()
        return booking_slots.format_time(self.on_my_way_arrival, self._get_on_my_way_tz(), lang)

    def _get_on_my_way_values(self):
        """What the email says: first names and the arrival time, nothing else of the visit."""
        self.ensure_one()
        task = self.sudo()
        contract = task.maintenance_contract_id
        return {
            "technician_first_name": booking_slots.first_name(task.technician_id.name),
            "arrival_label": task._get_on_my_way_arrival_label(),
            "equipment": contract.product_id.name or self.env._("equipment"),
            "phone": (task.company_id or self.env.company).phone or "",
        }

    def _get_on_my_way_repeat_message(self):
        lang = self.env.lang or self.env.user.lang  # the technician's
        return self.env._(
            "The client was already told at %(sent)s that you will arrive around %(time)s: no second email.",
            sent=booking_slots.format_time(self.on_my_way_sent_at, self._get_on_my_way_tz(), lang),
            time=self._get_on_my_way_arrival_label(lang),
        )
