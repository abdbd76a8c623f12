from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

OUT_OF_SERVICE = "out_of_service"  # booking refusal reason


class FusionRepairMaintenanceContract(models.Model):
    """Service status of the unit: out of service after a failed safety check (the client is
    told not to use it, a corrective repair is opened, reminders and online booking stop), back
    in service when that repair is done; and the unit's history (visits, certificates,
    corrective repairs)."""

    _inherit = "fusion.repair.maintenance.contract"

    x_fc_out_of_service = fields.Boolean(
        string="Out of Service",
        readonly=True,
        copy=False,
        tracking=True,
        help="A safety-critical check failed at the last inspection: the client was told not to "
        "use the unit until its corrective repair is done. No reminders, no online booking.",
    )
    x_fc_out_of_service_since = fields.Datetime(string="Out of Service Since", readonly=True, copy=False)
    x_fc_out_of_service_reason = fields.Text(string="Out of Service Because", readonly=True, copy=False)
    corrective_repair_ids = fields.One2many(
        "repair.order",
        "x_fc_maintenance_contract_id",
        string="Corrective Repairs",
        groups="stock.group_stock_user",
    )
    corrective_repair_count = fields.Integer(
        compute="_compute_corrective_repair_count", groups="stock.group_stock_user"
    )
    certificate_count = fields.Integer(string="Certificate Count", compute="_compute_certificate_count")

    # ------------------------------------------------------------------
    # History counters
    # ------------------------------------------------------------------

    def _compute_certificate_count(self):
        # as the reader sees them: a technician counts the certificates of their own visits
        counts = dict(
            self.env["fusion.repair.maintenance.visit"]._read_group(
                [("contract_id", "in", self.ids), ("certificate_number", "!=", False)],
                ["contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.certificate_count = counts.get(contract._origin, 0)

    def _compute_corrective_repair_count(self):
        counts = dict(
            self.env["repair.order"]._read_group(
                [("x_fc_maintenance_contract_id", "in", self.ids)],
                ["x_fc_maintenance_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.corrective_repair_count = counts.get(contract._origin, 0)

    def action_view_certificates(self):
        """The inspection certificates issued for this unit (visits with a certificate number)."""
        self.ensure_one()
        action = self.action_view_visits()
        action.update(
            name=self.env._("Certificates of %s", self.display_name),
            domain=[("contract_id", "=", self.id), ("certificate_number", "!=", False)],
        )
        return action

    def action_view_corrective_repairs(self):
        """The repair orders opened for this unit after a failed safety check."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Corrective Repairs of %s", self.display_name),
            "res_model": "repair.order",
            "views": [(False, "list"), (False, "form")],
            "domain": [("x_fc_maintenance_contract_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # No reminders, no online booking while out of service
    # ------------------------------------------------------------------

    @api.model
    def _get_reminder_domain(self, today=None, bands=None):
        return super()._get_reminder_domain(today=today, bands=bands) & Domain("x_fc_out_of_service", "=", False)

    def _get_booking_block_reason(self):
        reason = super()._get_booking_block_reason()
        return reason or (OUT_OF_SERVICE if self.x_fc_out_of_service else False)

    def _get_booking_refusal_message(self, reason):
        if reason != OUT_OF_SERVICE:
            return super()._get_booking_refusal_message(reason)
        phone = (self.company_id or self.env.company).phone
        equipment = self.product_id.name or self.env._("equipment")
        message = self.env._(
            "Your %s did not pass its last safety inspection and is out of service: please do not use it "
            "until we have repaired it.",
            equipment,
        )
        if phone:
            return " ".join((message, self.env._("Please call us at %s to arrange the repair.", phone)))
        return " ".join((message, self.env._("Please call us to arrange the repair.")))

    # ------------------------------------------------------------------
    # Out of service
    # ------------------------------------------------------------------

    def _take_out_of_service(self, visit, failed_lines):
        """A safety-critical check of ``visit`` failed: the unit is out of service (since now,
        why), the client is emailed at once, one corrective repair order is opened and the
        office gets an urgent activity. Returns the corrective repair order."""
        self.ensure_one()
        contract = self.sudo()
        reason = contract._get_out_of_service_reason(visit, failed_lines)
        values = {"x_fc_out_of_service_reason": reason}
        if not contract.x_fc_out_of_service:
            values.update(x_fc_out_of_service=True, x_fc_out_of_service_since=fields.Datetime.now())
        contract.write(values)
        repair = contract._create_corrective_repair(visit, failed_lines)
        contract.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "Unit out of service after maintenance visit %(visit)s: a safety check failed. "
                    "Corrective repair %(repair)s opened.",
                    visit=visit.name,
                    repair=repair.name,
                ),
                reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        emailed = contract._send_out_of_service_email()
        contract._schedule_out_of_service_activity(visit, repair, emailed)
        return repair

    def _get_out_of_service_reason(self, visit, failed_lines):
        """Why the unit is out of service, for the office: the failed checks and their notes."""
        self.ensure_one()
        checks = "\n".join("- %s%s" % (line.name, f": {line.note}" if line.note else "") for line in failed_lines)
        return self.env._(
            "Failed safety checks at visit %(visit)s on %(date)s (%(technician)s):\n%(checks)s",
            visit=visit.name,
            date=format_date(self.env, visit.visit_date, date_format="long") if visit.visit_date else "",
            technician=visit.technician_id.name or "",
            checks=checks,
        )

    def _prepare_corrective_repair_values(self, visit, failed_lines):
        self.ensure_one()
        lot = self.lot_id if self.lot_id.product_id == self.product_id else self.lot_id.browse()
        responsible = self.user_id if self.user_id and not self.user_id.share else self.env["res.users"]
        checks = Markup("").join(
            Markup("<li>%s</li>") % ("%s%s" % (line.name, f": {line.note}" if line.note else ""))
            for line in failed_lines
        )
        return {
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "lot_id": lot.id,
            "company_id": self.company_id.id,
            "user_id": responsible.id,
            "priority": "1",
            "x_fc_maintenance_contract_id": self.id,
            "x_fc_maintenance_visit_id": visit.id,
            "internal_notes": Markup("<p>%s</p><ul>%s</ul><p>%s</p>")
            % (
                self.env._(
                    "Corrective repair: safety checks failed at maintenance visit %(visit)s (contract %(contract)s).",
                    visit=visit.name,
                    contract=self.name,
                ),
                checks,
                self.env._("The unit is out of service until this repair order is done."),
            ),
        }

    def _create_corrective_repair(self, visit, failed_lines):
        """The corrective repair order of ``visit``: one per visit, never two."""
        self.ensure_one()
        Repair = self.env["repair.order"].sudo().with_company(self.company_id)
        existing = Repair.search([("x_fc_maintenance_visit_id", "=", visit.id)], limit=1)
        if existing:
            return existing
        return Repair.with_context(mail_create_nolog=True).create(
            self._prepare_corrective_repair_values(visit, failed_lines)
        )

    def _get_out_of_service_visit(self):
        """The last visit that took this unit out of service."""
        self.ensure_one()
        return (
            self.env["fusion.repair.maintenance.visit"]
            .sudo()
            .search(
                [("contract_id", "=", self.id), ("out_of_service", "=", True)],
                order="departure_time desc, id desc",
                limit=1,
            )
        )

    def _get_out_of_service_findings(self):
        """What the client is told (email): the day of the inspection and each failed safety
        check with the technician's note."""
        self.ensure_one()
        visit = self._get_out_of_service_visit()
        lang = self.partner_id.lang or self.env.lang
        return {
            "date_label": format_date(self.env, visit.visit_date, lang_code=lang, date_format="long")
            if visit.visit_date
            else "",
            "checks": [{"name": line.name, "note": line.note or ""} for line in visit._get_failed_safety_lines()]
            if visit
            else [],
        }

    def _send_out_of_service_email(self):
        """Email the client at once that the unit must not be used (client only, through the
        chatter, in the company's name). A mail problem is noted, never raised.

        :return: whether the email was posted
        """
        self.ensure_one()
        template = self.env.ref("fusion_repairs.email_template_maintenance_out_of_service", raise_if_not_found=False)
        contract = self.sudo()
        if not template or not contract.partner_id.email:
            return False
        _message, error = contract._post_client_email(template, author_id=contract.company_id.partner_id.id)
        if error:
            contract.message_post(
                body=self.env._("The out-of-service email to the client could not be sent: %s", error),
                subtype_xmlid="mail.mt_note",
            )
        return not error

    def _get_out_of_service_office_user(self, visit=None):
        self.ensure_one()
        if self.user_id and self.user_id.active and not self.user_id.share:
            return self.user_id
        if visit and visit.task_id:
            return visit.task_id._get_office_user()
        return self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user

    def _schedule_out_of_service_activity(self, visit, repair, emailed):
        """An urgent to-do, due today, for the contract's responsible."""
        self.ensure_one()
        activity_type = self.env.ref(
            "fusion_repairs.mail_activity_type_unit_out_of_service", raise_if_not_found=False
        ) or self.env.ref("fusion_repairs.mail_activity_type_maintenance_follow_up", raise_if_not_found=False)
        call = (
            self.env._("The client was emailed not to use it: call them to plan the repair.")
            if emailed
            else self.env._("The client could NOT be emailed: call them at once, tell them not to use it.")
        )
        note = Markup("<p>%s</p><p>%s</p>") % (
            call,
            Markup("<br/>").join((self.x_fc_out_of_service_reason or "").splitlines()),
        )
        self.activity_schedule(
            activity_type_id=activity_type.id if activity_type else None,
            summary=self.env._(
                "Unit out of service: %(equipment)s of %(client)s (repair %(repair)s)",
                equipment=self.product_id.name,
                client=self.partner_id.name,
                repair=repair.name,
            ),
            note=note,
            date_deadline=fields.Date.context_today(self.with_context(tz=self._get_booking_tz())),
            user_id=self._get_out_of_service_office_user(visit).id,
        )

    # ------------------------------------------------------------------
    # Back in service
    # ------------------------------------------------------------------

    def _return_to_service_after_repair(self, repair):
        """``repair`` (a corrective repair of this unit) is done: back in service once no other
        corrective repair is open, with the next cycle counted from today."""
        self.ensure_one()
        if not self.x_fc_out_of_service:
            return False
        still_open = self.sudo().corrective_repair_ids.filtered(lambda r: r.state not in ("done", "cancel")) - repair
        if still_open:
            self.message_post(
                body=self.env._(
                    "Corrective repair %(repair)s done; the unit stays out of service until %(others)s is done too.",
                    repair=repair.name,
                    others=", ".join(still_open.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
            return False
        service_date = fields.Date.context_today(self.with_context(tz=self._get_booking_tz()))
        return self._return_to_service(
            self.env._(
                "Back in service after %(repair)s, done on %(date)s.",
                repair=repair.name,
                date=format_date(self.env, service_date, date_format="long"),
            ),
            service_date=service_date,
        )

    def _return_to_service(self, what, service_date=None):
        """Clear the out-of-service flag, close its activities and say ``what`` happened; with
        ``service_date``, the next cycle starts from that day (due date, link, reminders)."""
        activity_type = self.env.ref("fusion_repairs.mail_activity_type_unit_out_of_service", raise_if_not_found=False)
        for contract in self.sudo():
            contract.write(
                {
                    "x_fc_out_of_service": False,
                    "x_fc_out_of_service_since": False,
                    "x_fc_out_of_service_reason": False,
                }
            )
            urgent = contract.activity_ids.filtered(lambda a: activity_type and a.activity_type_id == activity_type)
            if urgent:
                urgent.action_feedback()  # marked done in the chatter; the note below says why
            if service_date:
                contract._roll_forward(service_date, what=what)
            else:
                contract.message_post(body=what, subtype_xmlid="mail.mt_note")
        return True

    def action_return_to_service(self):
        """Office button: the unit was made safe without its corrective repair order (e.g. the
        client replaced it); the due date is left as it is."""
        self.check_access("write")
        for contract in self.filtered("x_fc_out_of_service"):
            contract._return_to_service(self.env._("Returned to service by %s.", self.env.user.name))
        return True
