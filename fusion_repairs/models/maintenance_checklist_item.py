from odoo import fields, models


class FusionRepairMaintenanceChecklistItem(models.Model):
    """One point the technician checks on every maintenance visit of a category."""

    _name = "fusion.repair.maintenance.checklist.item"
    _description = "Maintenance Checklist Item"
    _order = "category_id, sequence, id"

    category_id = fields.Many2one(
        "fusion.repair.product.category", string="Equipment Category", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True, translate=True)
    required = fields.Boolean(default=True, help="The visit cannot be finished while this check is unanswered.")
    safety_critical = fields.Boolean(
        string="Safety Critical",
        help="A failure takes the unit out of service: it must not be used until it is repaired.",
    )
    reading_unit = fields.Char(
        string="Reading Unit",
        help='Leave empty when no measurement is taken; else the unit of the reading, e.g. "V".',
    )
    active = fields.Boolean(default=True)
