from odoo import fields, models


class FusionRepairMaintenanceBookingWizardLine(models.TransientModel):
    """One free arrival window offered by the office booking wizard."""

    _name = "fusion.repair.maintenance.booking.wizard.line"
    _description = "Free Maintenance Time"
    _order = "slot_start"

    wizard_id = fields.Many2one(
        "fusion.repair.maintenance.booking.wizard", required=True, ondelete="cascade", index=True
    )
    slot_start = fields.Datetime(string="Start", required=True)
    slot_end = fields.Datetime(string="End", required=True)
    day_label = fields.Char(string="Day")
    window_label = fields.Char(string="Arrival Window")
    technician_ids = fields.Many2many("res.users", string="Free Technicians")
    is_current = fields.Boolean(string="Current Visit")

    def action_book(self):
        self.ensure_one()
        return self.wizard_id._book_line(self)
