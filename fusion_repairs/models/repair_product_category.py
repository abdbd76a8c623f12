from odoo import api, fields, models


class FusionRepairProductCategory(models.Model):
    """Equipment category: what kind of unit it is and how it is maintained."""

    _name = "fusion.repair.product.category"
    _description = "Equipment Category"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help='Short unique technical code, e.g. "stairlift".',
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    equipment_class = fields.Selection(
        [
            ("lift_elevating", "Lift / Elevating Device"),
            ("mobility_power", "Power Mobility"),
            ("mobility_manual", "Manual Mobility"),
            ("bed_patient", "Bed / Patient Handling"),
            ("bath_safety", "Bath Safety"),
            ("other", "Other"),
        ],
        default="other",
        required=True,
    )
    safety_critical = fields.Boolean(
        help="Units of this category carry people (lifts, elevating devices): "
        "each maintenance visit must end with a safety inspection.",
    )
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the category between companies.",
    )
    checklist_item_ids = fields.One2many(
        "fusion.repair.maintenance.checklist.item",
        "category_id",
        string="Visit Checklist",
        help="What the technician checks on every maintenance visit of a unit of this category.",
    )

    # ── Maintenance policy (per equipment type) ──────────────────────────
    x_fc_maintenance_enabled = fields.Boolean(
        string="Offer Maintenance",
        help="If set, units in this category are enrolled in recurring preventive maintenance when they are sold.",
    )
    x_fc_maintenance_interval_months = fields.Integer(
        string="Maintenance Interval (Months)",
        default=6,
        help="Default months between preventive maintenance visits for this category. "
        "Overridden by the product field of the same name when that is above 0.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    x_fc_maintenance_fee = fields.Monetary(
        string="Maintenance Fee",
        currency_field="currency_id",
        help="Flat fee (before tax) shown to the client for a maintenance visit of this equipment type.",
    )
    x_fc_maintenance_service_product_id = fields.Many2one(
        "product.product",
        string="Maintenance Service Product",
        domain=[("type", "=", "service")],
        help="Service product used on the priced order of a maintenance visit.",
    )
    x_fc_maintenance_skill_id = fields.Many2one(
        "fusion.technician.skill",
        string="Required Skill",
        help="Only technicians with this skill are offered for maintenance visits.",
    )
    x_fc_visit_duration_hours = fields.Float(
        string="Visit Duration (Hours)",
        default=1.5,
        help="Time a technician blocks on site for one maintenance visit.",
    )

    product_ids = fields.One2many(
        "product.template",
        "x_fc_repair_category_id",
        string="Products",
    )
    product_count = fields.Integer(compute="_compute_product_count", string="# Products")

    _code_unique = models.Constraint(
        "UNIQUE(code)",
        "The code of an equipment category must be unique.",
    )
    _interval_positive = models.Constraint(
        "CHECK(x_fc_maintenance_interval_months >= 0)",
        "The maintenance interval cannot be negative.",
    )
    _fee_positive = models.Constraint(
        "CHECK(x_fc_maintenance_fee >= 0)",
        "The maintenance fee cannot be negative.",
    )
    _duration_positive = models.Constraint(
        "CHECK(x_fc_visit_duration_hours > 0)",
        "The visit duration must be positive.",
    )

    @api.depends("product_ids")
    def _compute_product_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("x_fc_repair_category_id", "in", self.ids)],
                ["x_fc_repair_category_id"],
                ["__count"],
            )
        )
        for category in self:
            category.product_count = counts.get(category._origin, 0)

    def action_view_products(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("sale.product_template_action")
        action.update(
            {
                "domain": [("x_fc_repair_category_id", "=", self.id)],
                "context": {"default_x_fc_repair_category_id": self.id},
                "display_name": self.env._("Products of %s", self.name),
            }
        )
        return action
