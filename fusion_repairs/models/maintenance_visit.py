from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import booking_slots
from .maintenance_contract import OFFICE_GROUPS

VISIT_RESULTS = [
    ("passed", "Passed"),
    ("passed_remarks", "Passed with Remarks"),
    ("failed", "Failed"),
    ("not_done", "Not Done"),
]
NOT_DONE_REASONS = [
    ("client_absent", "Client absent"),
    ("unit_unreachable", "Unit not reachable"),
    ("unsafe_access", "Unsafe to work"),
    ("other", "Other"),
]
# what a technician fills in on site; the rest of a visit is the office's or the system's
TECHNICIAN_FIELDS = frozenset({"line_ids", "notes", "photo_ids", "signature", "signed_by"})


class FusionRepairMaintenanceVisit(models.Model):
    """The record of one maintenance visit: what was checked, what was found, who signed.

    It exists from the moment the visit is booked (the technician sees the checklist before
    arriving), follows the booking's moves and cancellation, and is done with the task."""

    _name = "fusion.repair.maintenance.visit"
    _description = "Maintenance Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "visit_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        string="Maintenance Contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    task_id = fields.Many2one(
        "fusion.technician.task", string="Task", required=True, readonly=True, index=True, ondelete="restrict"
    )
    technician_id = fields.Many2one(related="task_id.technician_id", store=True, string="Technician", index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True, string="Client")
    product_id = fields.Many2one(related="contract_id.product_id", store=True, string="Equipment")
    serial = fields.Char(string="Serial Number", readonly=True)
    category_id = fields.Many2one(related="contract_id.x_fc_policy_category_id", string="Equipment Category")
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    visit_date = fields.Date(compute="_compute_visit_date", store=True, string="Visit Date")
    arrival_time = fields.Datetime(string="Arrived", readonly=True, copy=False)
    departure_time = fields.Datetime(string="Left", readonly=True, copy=False)
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    result = fields.Selection(VISIT_RESULTS, readonly=True, tracking=True, copy=False)
    not_done_reason = fields.Selection(NOT_DONE_REASONS, string="Why Not Done", readonly=True, tracking=True)
    line_ids = fields.One2many("fusion.repair.maintenance.checklist.line", "visit_id", string="Checklist")
    notes = fields.Html(string="Remarks")
    photo_ids = fields.Many2many("ir.attachment", string="Photos")
    signature = fields.Binary(string="Client Signature", copy=False, attachment=True)
    signed_by = fields.Char(string="Signed By", copy=False, tracking=True)
    signed_on = fields.Datetime(string="Signed On", readonly=True, copy=False)
    certificate_number = fields.Char(string="Certificate", readonly=True, copy=False, index="btree_not_null")
    missing_check_count = fields.Integer(compute="_compute_missing_check_count")

    _task_unique = models.UniqueIndex("(task_id)", "A booked visit has one visit record.")

    @api.depends("task_id.scheduled_start", "contract_id")
    def _compute_visit_date(self):
        for visit in self:
            start = visit.task_id.scheduled_start
            visit.visit_date = (
                booking_slots.to_local(start, visit.contract_id._get_booking_tz()).date() if start else False
            )

    @api.depends("line_ids.result", "line_ids.required")
    def _compute_missing_check_count(self):
        for visit in self:
            visit.missing_check_count = len(visit._get_missing_required_lines())

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("fusion.repair.maintenance.visit") or self.env._(
                    "New"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and not self._is_office_user() and set(vals) - TECHNICIAN_FIELDS:
            raise AccessError(
                self.env._("Technicians fill in the checklist, remarks, photos and signature of a visit only.")
            )
        done = self.filtered(lambda visit: visit.state == "done")
        res = super().write(vals)
        if done and "line_ids" in vals:
            for visit in done:
                visit.message_post(
                    body=self.env._("Checklist corrected after the visit."), subtype_xmlid="mail.mt_note"
                )
        return res

    def _is_office_user(self):
        return self.env.user.has_groups(OFFICE_GROUPS)

    @api.model
    def _create_for_task(self, task, contract):
        """The visit record of a booked ``task`` of ``contract``, with the category's checklist."""
        items = contract._get_booking_category().checklist_item_ids
        Line = self.env["fusion.repair.maintenance.checklist.line"]
        return self.sudo().create(
            {
                "contract_id": contract.id,
                "task_id": task.id,
                "serial": contract.serial_display,
                "line_ids": [fields.Command.create(Line._prepare_from_item(item)) for item in items],
            }
        )

    # ------------------------------------------------------------------
    # Finishing
    # ------------------------------------------------------------------

    def _get_missing_required_lines(self):
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.required and not line.result)

    def _check_ready_to_finish(self):
        """A required check left unanswered blocks the end of the visit, naming it."""
        for visit in self:
            missing = visit._get_missing_required_lines()
            if missing:
                raise UserError(
                    self.env._(
                        "Answer every required check before finishing the visit. Not answered yet: %s.",
                        ", ".join(missing.mapped("name")),
                    )
                )

    def _default_result(self):
        self.ensure_one()
        if any(line.result == "fail" for line in self.line_ids):
            return "failed"
        remarks = Markup(self.notes or "").striptags().strip()
        if remarks or any(line.note for line in self.line_ids):
            return "passed_remarks"
        return "passed"

    def _finish(self, result=None, signature=None, signed_by=None):
        """Close the visit (its task is being marked done): result, times, signature."""
        now = fields.Datetime.now()
        for visit in self.filtered(lambda visit: visit.state == "planned"):
            visit._check_ready_to_finish()
            values = {
                "state": "done",
                # a failed check is a failed visit, whatever was chosen
                "result": "failed" if visit._default_result() == "failed" else result or visit._default_result(),
                "departure_time": now,
                "arrival_time": visit.arrival_time or now,
            }
            if signature:
                values.update(signature=signature, signed_by=signed_by, signed_on=now)
            visit.sudo().write(values)
            visit.sudo()._after_finish()
        return True

    def _after_finish(self):
        """What a finished (passed or failed) visit leads to: the certificate of a passed
        safety inspection, the unit taken out of service after a failed safety check, and the
        charge of the visit (its sales order)."""
        self._issue_certificate_if_due()
        self._handle_failed_safety_checks()
        self._bill_visit_if_due()

    def _issue_certificate_if_due(self):
        """Extended by ``maintenance_visit_certificate.py``."""

    def _handle_failed_safety_checks(self):
        """Extended by ``maintenance_contract_service_status.py``."""

    def _bill_visit_if_due(self):
        """Extended by ``maintenance_visit_billing.py``."""

    def _record_not_done(self, reason, note=None):
        """Nothing could be done on site: the visit says why (the contract does not roll forward)."""
        now = fields.Datetime.now()
        for visit in self.filtered(lambda visit: visit.state == "planned"):
            visit.sudo().write(
                {
                    "state": "done",
                    "result": "not_done",
                    "not_done_reason": reason,
                    "arrival_time": visit.arrival_time or now,
                    "departure_time": now,
                }
            )
            if note:
                visit.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")
        return True

    def _cancel(self):
        self.filtered(lambda visit: visit.state == "planned").sudo().write({"state": "cancelled"})
