from odoo import api, fields, models


class FusionRepairMaintenanceBookingWizard(models.TransientModel):
    """The office books with the client's notes for the technician at hand (prefilled from the
    contract) and can correct them: they follow the booking to the visit's task."""

    _inherit = "fusion.repair.maintenance.booking.wizard"

    home_notes = fields.Text(
        string="Notes for the Technician",
        compute="_compute_home_notes",
        store=True,
        readonly=False,
        help="Door or building code, pets, parking, where the equipment is, stairs. Never emailed.",
    )

    @api.depends("contract_id")
    def _compute_home_notes(self):
        for wizard in self:
            wizard.home_notes = wizard.contract_id.home_notes

    def _book_line(self, line):
        res = super()._book_line(line)
        # book_slot checked that this user may write the contract
        self.contract_id._set_home_notes(self.home_notes)
        return res
