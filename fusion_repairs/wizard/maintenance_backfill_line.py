from odoo import fields, models

BACKFILL_REASONS = [
    ("serial_covered", "Serial already covered"),
    ("line_covered", "Sale line already covered"),
    ("not_delivered", "Not delivered yet"),
    ("not_maintainable", "Product not maintainable"),
    ("not_unit", "Not a unit (service, accessory or consumable)"),
    ("cancelled", "Order cancelled"),
]


class FusionRepairMaintenanceBackfillLine(models.TransientModel):
    """One sold unit of the backfill's dry run: what enrolling past sales would do with it
    (create a contract due on ``due_date``, or skip it, and why)."""

    _name = "fusion.repair.maintenance.backfill.line"
    _description = "Enrol Past Sales: Unit"
    # the office may check a large dry run (filter, export) for a working day before enrolling
    _transient_max_hours = 24.0
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "fusion.repair.maintenance.backfill.wizard", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    action = fields.Selection([("create", "Create"), ("skip", "Skip")], string="Result", required=True)
    reason = fields.Selection(BACKFILL_REASONS, string="Skip Reason")
    note = fields.Char(string="Details")
    warning = fields.Char(help="Enrolled all the same, but the client cannot be reminded or visited as things stand.")
    has_warning = fields.Boolean(string="With Warning")
    sale_line_id = fields.Many2one("sale.order.line", string="Sale Line", ondelete="cascade")
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Client")
    product_id = fields.Many2one("product.product", string="Equipment")
    category_id = fields.Many2one("fusion.repair.product.category", string="Equipment Category")
    serial = fields.Char(string="Serial Number")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial")
    order_date = fields.Date(string="Sold On")
    anchor_date = fields.Date(string="Counted From")
    anchor_source = fields.Selection(
        [("delivery", "Delivery"), ("commitment", "Delivery Date Promised"), ("order", "Order Date")],
        string="Counted From (Source)",
    )
    interval_months = fields.Integer(string="Interval (Months)")
    natural_due_date = fields.Date(
        string="Due (Interval)", help="Counted-from date plus the interval, before overdue units are spread."
    )
    due_date = fields.Date(string="Due On")
    is_staggered = fields.Boolean(
        string="Spread", help="Overdue: its due date is spread over the next weeks, oldest units first."
    )
    # contracts of the sale line when the dry run was made: the execute re-counts them and
    # skips what a sale or another run enrolled meanwhile
    existing_count = fields.Integer()
    contract_id = fields.Many2one("fusion.repair.maintenance.contract", string="Contract Created")
    company_id = fields.Many2one("res.company")
