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
        # the due date of contracts the creating user may read (the booking door runs as sudo)
        contract_ids = {vals["contract_id"] for vals in vals_list if "due_date" not in vals and vals.get("contract_id")}
        contracts = self.env["fusion.repair.maintenance.contract"].browse(contract_ids)._filtered_access("read")
        due_dates = {contract.id: contract.next_due_date for contract in contracts.sudo()}
        for vals in vals_list:
            if "due_date" not in vals and vals.get("contract_id") in due_dates:
                vals["due_date"] = due_dates[vals["contract_id"]]
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
