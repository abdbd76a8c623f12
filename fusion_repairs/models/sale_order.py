from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_date


class SaleOrder(models.Model):
    _inherit = "sale.order"

    x_fc_maintenance_contract_ids = fields.One2many(
        "fusion.repair.maintenance.contract",
        "original_sale_order_id",
        string="Maintenance Contracts",
    )
    x_fc_maintenance_contract_count = fields.Integer(
        string="Maintenance Contract Count",
        compute="_compute_x_fc_maintenance_contract_count",
    )

    @api.depends("x_fc_maintenance_contract_ids")
    def _compute_x_fc_maintenance_contract_count(self):
        counts = dict(
            self.env["fusion.repair.maintenance.contract"]._read_group(
                [("original_sale_order_id", "in", self.ids)],
                ["original_sale_order_id"],
                ["__count"],
            )
        )
        for order in self:
            order.x_fc_maintenance_contract_count = counts.get(order._origin, 0)

    x_fc_renewed_subscription_id = fields.Many2one(
        "fusion.repair.service.plan.subscription",
        string="Renews Service Plan",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    x_fc_plan_renewal_applied = fields.Boolean(string="Service Plan Renewed", readonly=True, copy=False)

    def _action_confirm(self):
        res = super()._action_confirm()
        self.order_line._fc_spawn_maintenance_contracts()
        self._fc_apply_service_plan_renewals()
        self.order_line._fc_create_service_plan_subscriptions()
        return res

    def _fc_apply_service_plan_renewals(self):
        """A confirmed renewal quotation extends its subscription by one term, once."""
        for order in self.filtered(lambda o: o.x_fc_renewed_subscription_id and not o.x_fc_plan_renewal_applied):
            order.sudo().x_fc_plan_renewal_applied = True
            order.x_fc_renewed_subscription_id.sudo()._extend_term(order)

    def _action_cancel(self):
        res = super()._action_cancel()
        # units never sold must not get reminders; reconfirming the order reactivates them
        for order in self:
            order._fc_withdraw_maintenance_contracts(
                order.x_fc_maintenance_contract_ids.filtered(
                    lambda c: c.state != "cancelled" and c.x_fc_source == "sale"
                )
            )
        return res

    def action_view_maintenance_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("fusion_repairs.fusion_repair_maintenance_contract_action")
        action["domain"] = [("original_sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        if self.x_fc_maintenance_contract_count == 1:
            action.update(
                {
                    "views": [(False, "form")],
                    "res_id": self.x_fc_maintenance_contract_ids.id,
                }
            )
        return action

    # ------------------------------------------------------------------
    # Enrolment of sold units
    # ------------------------------------------------------------------

    def _fc_maintenance_anchor_date(self):
        """Best-known delivery date at confirmation: the commitment date, else the
        order date (in the user's time zone). Delivery validation re-anchors on
        the real date."""
        self.ensure_one()
        anchor = self.commitment_date or self.date_order
        if not anchor:
            return fields.Date.context_today(self)
        return fields.Date.context_today(self, timestamp=anchor)

    def _fc_withdraw_maintenance_contracts(self, contracts):
        """Cancel the contracts of units this order no longer sells (order cancelled, quantity
        lowered). A unit with a booked or done visit stays enrolled: the order says so."""
        self.ensure_one()
        kept = contracts.filtered(lambda c: c.is_booked or c.last_service_date)
        withdrawn = (contracts - kept).sudo()
        withdrawn.write({"state": "cancelled", "cancelled_with_sale": True})
        for contract in withdrawn:
            contract.message_post(
                body=self.env._("Cancelled: the sale of this unit (%s) was cancelled or reduced.", self.name),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
        parts = []
        if withdrawn:
            parts.append(Markup("%s %s.") % (self.env._("Maintenance contracts cancelled:"), self._fc_links(withdrawn)))
        if kept:
            parts.append(
                Markup("%s %s.")
                % (self.env._("Still active, as a visit is booked or done (please review):"), self._fc_links(kept))
            )
        if parts:
            self.message_post(
                body=Markup("<br/>").join(parts), message_type="notification", subtype_xmlid="mail.mt_note"
            )
        return withdrawn

    @staticmethod
    def _fc_links(contracts):
        return Markup(", ").join(contract._get_html_link(title=contract.name) for contract in contracts.sorted("name"))

    def _fc_post_contracts_note(self, contracts, reactivated=None):
        """Tell the salesperson on the order which units were enrolled and when they are due."""
        self.ensure_one()
        reactivated = reactivated or contracts.browse()
        parts = []
        if contracts:
            parts.append(Markup("%s %s.") % (self.env._("Maintenance contracts created:"), self._fc_links(contracts)))
        if reactivated:
            parts.append(
                Markup("%s %s.") % (self.env._("Maintenance contracts reactivated:"), self._fc_links(reactivated))
            )
        due = format_date(self.env, min((contracts | reactivated).mapped("next_due_date")), date_format="MMMM d, y")
        parts.append(self.env._("First maintenance due: %s.", due))
        self.message_post(body=Markup("<br/>").join(parts), message_type="notification", subtype_xmlid="mail.mt_note")
