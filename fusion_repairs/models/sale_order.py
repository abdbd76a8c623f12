from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_round, format_date


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

    def _action_confirm(self):
        res = super()._action_confirm()
        self._spawn_maintenance_contracts()
        return res

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

    @api.model
    def _fc_line_serial(self, line):
        """Serial typed on the sale line by another module (claims), or ''."""
        if "x_fc_serial_number" not in line._fields:
            return ""
        return (line.x_fc_serial_number or "").strip()

    @api.model
    def _fc_line_unit_count(self, line):
        """Units sold on the line, in the product's unit (a started unit counts)."""
        qty = (
            line.product_uom_id._compute_quantity(
                line.product_uom_qty,
                line.product_id.uom_id,
                round=False,
            )
            if line.product_uom_id and line.product_id.uom_id
            else line.product_uom_qty
        )
        return int(float_round(qty, precision_rounding=1.0, rounding_method="UP"))

    def _prepare_maintenance_contract_values(self, line, policy, serial=""):
        self.ensure_one()
        anchor = self._fc_maintenance_anchor_date()
        return {
            "partner_id": self.partner_id.id,
            "product_id": line.product_id.id,
            "original_sale_order_id": self.id,
            "x_fc_source_sale_line_id": line.id,
            "x_fc_source": "sale",
            "x_fc_device_serial": serial or False,
            "x_fc_policy_category_id": policy["category"].id or False,
            "interval_months": policy["interval_months"],
            "x_fc_maintenance_fee": policy["fee"],
            "currency_id": policy["currency"].id,
            "next_due_date": anchor + relativedelta(months=policy["interval_months"]),
            "company_id": self.company_id.id,
            "user_id": (self.user_id or self.env.user).id,
            "state": "active",
        }

    def _spawn_maintenance_contracts(self, lines=None):
        """Create one priced maintenance contract per maintainable unit sold.

        Policy: the product override beats its category policy. One contract per
        serialized unit (serial typed on the line), else one per unit of quantity.
        Safe to rerun: a line's existing contracts are counted (source-line
        regime) and a serial that already has an active contract is skipped
        (serial regime), so reconfirming creates nothing, and a line whose
        quantity was raised only gets contracts for its new units.

        :param lines: only enrol these sale lines (of orders in ``self``), e.g.
            lines added or raised on a confirmed order; default: all lines
        :return: the created contracts
        """
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        orders = self.filtered(lambda o: o.state == "sale")
        lines = (orders.order_line if lines is None else lines.filtered(lambda ln: ln.order_id in orders)).filtered(
            lambda ln: (
                not ln.display_type
                and ln.product_id.type == "consu"
                and ln.product_uom_qty > 0
                and not ln.is_downpayment
            )
        )
        if not lines:
            return Contract
        existing_per_line = dict(
            Contract.with_context(active_test=False)._read_group(
                [("x_fc_source_sale_line_id", "in", lines.ids), ("cancelled_with_sale", "=", False)],
                ["x_fc_source_sale_line_id"],
                ["__count"],
            )
        )
        # contracts cancelled with their sale (order cancelled, quantity lowered) come back first
        withdrawn_per_line = Contract.search(
            [("x_fc_source_sale_line_id", "in", lines.ids), ("cancelled_with_sale", "=", True)], order="id"
        ).grouped("x_fc_source_sale_line_id")
        reactivated = Contract
        vals_list = []
        for line in lines:
            policy = line.product_id.product_tmpl_id._get_maintenance_policy()
            if not policy:
                continue
            order = line.order_id
            existing = existing_per_line.get(line, 0)
            withdrawn = withdrawn_per_line.get(line, Contract)
            serial = self._fc_line_serial(line)
            if serial and withdrawn and not existing:
                reactivated |= withdrawn[:1]
                continue
            if serial:
                if existing or Contract.search_count(
                    [
                        ("state", "=", "active"),
                        ("product_id", "=", line.product_id.id),
                        ("x_fc_device_serial", "=", serial),
                    ],
                    limit=1,
                ):
                    continue
                vals_list.append(order._prepare_maintenance_contract_values(line, policy, serial))
                continue
            missing = self._fc_line_unit_count(line) - existing
            back = withdrawn[: max(missing, 0)]
            reactivated |= back
            missing -= len(back)
            vals_list.extend(order._prepare_maintenance_contract_values(line, policy) for _unit in range(missing))
        if reactivated:
            reactivated.write({"state": "active", "cancelled_with_sale": False})
        contracts = Contract.create(vals_list)
        for order in (contracts | reactivated).original_sale_order_id:
            order._fc_post_contracts_note(
                contracts.filtered(lambda c, order=order: c.original_sale_order_id == order),
                reactivated.filtered(lambda c, order=order: c.original_sale_order_id == order),
            )
        return contracts | reactivated

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
