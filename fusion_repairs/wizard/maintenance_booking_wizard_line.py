from odoo import api, fields, models


class FusionRepairMaintenanceBookingWizardLine(models.TransientModel):
    """One free arrival window offered by the office booking wizard (picked in a radio list
    of one day: its name is the window alone, e.g. "10:00 to 11:00 a.m." with an en dash)."""

    _name = "fusion.repair.maintenance.booking.wizard.line"
    _description = "Free Maintenance Time"
    _order = "slot_start"
    _rec_name = "window_label"

    wizard_id = fields.Many2one(
        "fusion.repair.maintenance.booking.wizard", required=True, ondelete="cascade", index=True
    )
    slot_start = fields.Datetime(string="Start", required=True)
    slot_end = fields.Datetime(string="End", required=True)
    slot_date = fields.Date(string="Day (local)", required=True)
    day_label = fields.Char(string="Day")
    window_label = fields.Char(string="Arrival Window")
    technician_ids = fields.Many2many("res.users", string="Free Technicians")
    is_current = fields.Boolean(string="Current Visit")
    short_notice = fields.Boolean(help="Sooner than the minimum notice the client gets online.")
    before_opening = fields.Boolean(help="Before the day online booking opens for the client.")

    @api.depends("window_label", "is_current", "technician_ids")
    def _compute_display_name(self):
        for line in self:
            name = line.window_label or ""
            if line.is_current:
                name = self.env._("%s (current booking)", name)
            line.display_name = name
