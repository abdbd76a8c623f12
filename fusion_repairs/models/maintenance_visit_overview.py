from odoo import api, fields, models

TIMELINESS = [
    ("planned", "Planned"),
    ("on_time", "Done on Time"),
    ("late", "Done Late"),
    ("not_done", "Not Done"),
]


class FusionRepairMaintenanceVisit(models.Model):
    """What the overview reads on a visit: was it done by the due date of its cycle (kept on
    the visit when it is booked, since the contract moves on once it is done), and who
    booked it (the client online or the office)."""

    _inherit = "fusion.repair.maintenance.visit"

    due_date = fields.Date(
        string="Due Date",
        readonly=True,
        copy=False,
        help="The contract's due date when the visit was booked.",
    )
    booked_by = fields.Selection(related="task_id.booked_by", store=True, string="Booked By")
    timeliness = fields.Selection(
        TIMELINESS,
        string="Timeliness",
        compute="_compute_timeliness",
        store=True,
        index=True,
        help="Done on time: done on or before the due date (or without a due date). Done late: "
        "after it. Not done: closed as not done on site. Cancelled visits have none.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        Contract = self.env["fusion.repair.maintenance.contract"]
        for vals in vals_list:
            if "due_date" not in vals and vals.get("contract_id"):
                vals["due_date"] = Contract.browse(vals["contract_id"]).sudo().next_due_date
        return super().create(vals_list)

    @api.depends("state", "result", "visit_date", "due_date")
    def _compute_timeliness(self):
        for visit in self:
            if visit.state == "planned":
                visit.timeliness = "planned"
            elif visit.state != "done":
                visit.timeliness = False
            elif visit.result == "not_done":
                visit.timeliness = "not_done"
            elif visit.due_date and visit.visit_date and visit.visit_date > visit.due_date:
                visit.timeliness = "late"
            else:
                visit.timeliness = "on_time"
