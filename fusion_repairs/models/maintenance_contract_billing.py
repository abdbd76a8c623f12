from collections import defaultdict

from odoo import api, fields, models

SALE_GROUPS = "sales_team.group_sale_salesman"


class FusionRepairMaintenanceContract(models.Model):
    """The sales orders that charged the visits of a unit (see ``maintenance_visit_billing.py``)."""

    _inherit = "fusion.repair.maintenance.contract"

    x_fc_visit_sale_order_ids = fields.Many2many(
        "sale.order",
        string="Visit Orders",
        compute="_compute_visit_sale_orders",
        groups=SALE_GROUPS,
    )
    x_fc_visit_sale_order_count = fields.Integer(
        string="Visit Order Count", compute="_compute_visit_sale_orders", groups=SALE_GROUPS
    )

    x_fc_service_plan_subscription_ids = fields.Many2many(
        "fusion.repair.service.plan.subscription",
        string="Service Plans",
        compute="_compute_service_plan_subscriptions",
        groups=SALE_GROUPS,
    )

    def _compute_service_plan_subscriptions(self):
        Subscription = self.env["fusion.repair.service.plan.subscription"]
        for contract in self:
            contract.x_fc_service_plan_subscription_ids = Subscription.search(
                [("contract_ids", "in", contract._origin.ids)]
            )

    def _get_covering_subscription(self, on_date=None):
        """The active service plan with visits left that covers a visit of this unit on
        ``on_date`` (default: the due date, or today once it has passed), or an empty record.
        Several: the one that ends first."""
        self.ensure_one()
        if not on_date:
            today = fields.Date.context_today(self)
            on_date = max(self.next_due_date or today, today)
        candidates = (
            self.env["fusion.repair.service.plan.subscription"]
            .sudo()
            .search(
                [
                    ("state", "=", "active"),
                    ("contract_ids", "in", self.ids),
                    ("date_start", "<=", on_date),
                    ("date_end", ">=", on_date),
                ],
                order="date_end, id",
            )
        )
        return candidates.filtered(lambda sub: sub._covers(self, on_date))[:1]

    @api.depends_context("uid")
    def _compute_visit_sale_orders(self):
        visits = self.env["fusion.repair.maintenance.visit"].search(
            [("contract_id", "in", self.ids), ("sale_order_id", "!=", False)]
        )
        orders_by_contract = defaultdict(lambda: self.env["sale.order"])
        for visit in visits:
            orders_by_contract[visit.contract_id] |= visit.sale_order_id
        for contract in self:
            orders = orders_by_contract[contract._origin]
            contract.x_fc_visit_sale_order_ids = orders
            contract.x_fc_visit_sale_order_count = len(orders)

    def action_view_visit_sale_orders(self):
        """The sales orders of this unit's visits (smart button "Visit Orders")."""
        self.ensure_one()
        self.check_access("read")
        orders = self.x_fc_visit_sale_order_ids
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(
            {
                "name": self.env._("Visit Orders of %s", self.display_name),
                "domain": [("id", "in", orders.ids)],
                "context": {"create": False},
            }
        )
        if len(orders) == 1:
            action.update({"views": [(False, "form")], "res_id": orders.id})
        return action
