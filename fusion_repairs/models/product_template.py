from odoo import Command, api, fields, models
from odoo.tools import format_amount


class ProductTemplate(models.Model):
    _inherit = "product.template"

    x_fc_repair_category_id = fields.Many2one(
        "fusion.repair.product.category",
        string="Equipment Category",
        index="btree_not_null",
        help="Equipment category: decides whether sold units are enrolled in "
        "preventive maintenance, how often and at what fee.",
    )
    x_fc_maintenance_interval_months = fields.Integer(
        string="Maintenance Interval (Months)",
        default=0,
        help="Months between maintenance visits for this product. 0 = use the interval of the equipment category.",
    )
    x_fc_maintenance_fee = fields.Monetary(
        string="Maintenance Fee (Override)",
        currency_field="currency_id",
        help="Per-product override of the category maintenance fee. 0 = use the category fee.",
    )

    x_fc_maintenance_policy_hint = fields.Char(
        string="Policy in Use",
        compute="_compute_x_fc_maintenance_policy_hint",
        help="What sold units of this product get: the overrides above when set, the category otherwise.",
    )

    _x_fc_maintenance_interval_positive = models.Constraint(
        "CHECK(x_fc_maintenance_interval_months >= 0)",
        "The maintenance interval of a product cannot be negative.",
    )
    _x_fc_maintenance_fee_positive = models.Constraint(
        "CHECK(x_fc_maintenance_fee >= 0)",
        "The maintenance fee of a product cannot be negative.",
    )

    @api.depends(
        "x_fc_repair_category_id.x_fc_maintenance_enabled",
        "x_fc_repair_category_id.x_fc_maintenance_interval_months",
        "x_fc_repair_category_id.x_fc_maintenance_fee",
        "x_fc_maintenance_interval_months",
        "x_fc_maintenance_fee",
        "currency_id",
    )
    def _compute_x_fc_maintenance_policy_hint(self):
        for product in self:
            policy = product._get_maintenance_policy()
            if not policy:
                product.x_fc_maintenance_policy_hint = (
                    self.env._("No maintenance: the equipment category does not offer it")
                    if product.x_fc_repair_category_id
                    else False
                )
                continue
            interval_source = (
                self.env._("this product") if product.x_fc_maintenance_interval_months else self.env._("category")
            )
            fee_source = self.env._("this product") if product.x_fc_maintenance_fee else self.env._("category")
            product.x_fc_maintenance_policy_hint = self.env._(
                "Every %(months)s months (%(interval_source)s), %(fee)s per visit (%(fee_source)s)",
                months=policy["interval_months"],
                interval_source=interval_source,
                fee=format_amount(self.env, policy["fee"], policy["currency"]),
                fee_source=fee_source,
            )

    def _get_maintenance_policy(self):
        """Return the maintenance policy of this product as a dict, or None.

        The product override (interval or fee above 0) beats the category; the
        category only applies when its maintenance is enabled. A product with
        its own interval is maintained even if its category is not.
        """
        self.ensure_one()
        category = self.x_fc_repair_category_id
        category_enabled = bool(category.x_fc_maintenance_enabled)
        interval = self.x_fc_maintenance_interval_months or (
            category.x_fc_maintenance_interval_months if category_enabled else 0
        )
        if interval <= 0:
            return None
        fee = self.x_fc_maintenance_fee or category.x_fc_maintenance_fee or 0.0
        currency = (
            self.currency_id if self.x_fc_maintenance_fee else category.currency_id or self.env.company.currency_id
        )
        return {
            "category": category,
            "interval_months": interval,
            "fee": fee,
            "currency": currency,
        }

    @api.model
    def _fc_demo_set_ontario_hst(self, product_ids, company_id=None):
        """Demo data: the maintenance service products carry Ontario HST 13% (sales, excluded
        from the price), the company's own 13% sales tax, or a demo "HST 13%" made for it."""
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        Tax = self.env["account.tax"].sudo().with_company(company)
        tax = Tax.search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", 13.0),
            ]
        ).filtered(lambda tax: not tax.price_include)[:1]
        canada = self.env.ref("base.ca")
        if company.country_id == canada and company.account_fiscal_country_id != canada:
            # an Ontario dealer reports taxes in Canada: with the generic chart the fiscal country
            # is the US, and Odoo would refuse a Canadian tax on the invoices ("not compatible
            # with your fiscal position")
            company.sudo().account_fiscal_country_id = canada
        if not tax:
            TaxGroup = self.env["account.tax.group"].sudo().with_company(company)
            group = TaxGroup.search(
                [("company_id", "=", company.id), ("country_id", "=", canada.id), ("name", "=", "HST 13%")], limit=1
            ) or TaxGroup.create({"name": "HST 13%", "company_id": company.id, "country_id": canada.id})
            tax = Tax.create(
                {
                    "name": "HST 13%",
                    "invoice_label": "HST 13%",
                    "type_tax_use": "sale",
                    "amount_type": "percent",
                    "amount": 13.0,
                    "price_include_override": "tax_excluded",
                    "company_id": company.id,
                    "country_id": canada.id,
                    "tax_group_id": group.id,
                }
            )
        for product in self.env["product.product"].sudo().browse(product_ids):
            others = product.taxes_id.filtered(lambda t: t.company_id == company)
            product.taxes_id = [*(Command.unlink(t.id) for t in others), Command.link(tax.id)]
        return tax
