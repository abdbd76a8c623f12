from dateutil.relativedelta import relativedelta

from odoo import fields, models


class FusionRepairServicePlan(models.Model):
    """A pre-paid service plan: the client buys ``visits_per_term`` maintenance visits of the
    units of ``category_ids`` for ``term_months``, by buying the plan's service product."""

    _name = "fusion.repair.service.plan"
    _description = "Service Plan"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", string="Company", index=True)
    product_id = fields.Many2one(
        "product.product",
        string="Sold As",
        required=True,
        ondelete="restrict",
        check_company=True,
        domain=[("type", "=", "service")],
        help="The service product that sells the plan; its sales price is the plan's price.",
    )
    currency_id = fields.Many2one(related="product_id.currency_id", string="Currency")
    price = fields.Float(related="product_id.lst_price", string="Price", digits="Product Price")
    visits_per_term = fields.Integer(
        string="Visits per Term",
        default=1,
        required=True,
        help="Maintenance visits included in each term; unused visits stay available after a renewal.",
    )
    term_months = fields.Integer(string="Term (Months)", default=12, required=True)
    category_ids = fields.Many2many(
        "fusion.repair.product.category",
        "fusion_repair_service_plan_category_rel",
        "plan_id",
        "category_id",
        string="Equipment Categories",
        help="The units of these categories that the plan covers.",
    )
    subscription_count = fields.Integer(compute="_compute_subscription_count", string="Subscriptions")

    _visits_positive = models.Constraint("CHECK (visits_per_term > 0)", "A plan includes at least one visit.")
    _term_positive = models.Constraint("CHECK (term_months > 0)", "A plan lasts at least one month.")

    def _get_term_end(self, start):
        """The end of a term that starts on ``start``: ``term_months`` later."""
        self.ensure_one()
        return start + relativedelta(months=self.term_months)

    def _compute_subscription_count(self):
        counts = dict(
            self.env["fusion.repair.service.plan.subscription"]._read_group(
                [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.subscription_count = counts.get(plan._origin, 0)

    def action_view_subscriptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "fusion_repairs.fusion_repair_service_plan_subscription_action"
        )
        action.update({"domain": [("plan_id", "=", self.id)], "context": {"default_plan_id": self.id}})
        return action
