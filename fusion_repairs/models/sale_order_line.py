from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..lib.units import whole_units


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # upsell: a line added to a confirmed order enrols its units at once
        lines.filtered(lambda ln: ln.state == "sale")._fc_spawn_maintenance_contracts()
        return lines

    def write(self, vals):
        if "product_uom_qty" not in vals and "product_uom_id" not in vals:
            return super().write(vals)
        confirmed = self.filtered(lambda ln: ln.state == "sale")
        units_before = {line.id: line._fc_unit_count() for line in confirmed}
        res = super().write(vals)
        # a raised quantity enrols the new units; a lowered one withdraws the surplus
        confirmed.filtered(
            lambda ln: ln.state == "sale" and ln._fc_unit_count() > units_before[ln.id]
        )._fc_spawn_maintenance_contracts()
        confirmed.filtered(
            lambda ln: ln.state == "sale" and ln._fc_unit_count() < units_before[ln.id]
        )._fc_withdraw_surplus_contracts()
        return res

    # ------------------------------------------------------------------
    # Enrolment of sold units
    # ------------------------------------------------------------------

    def _fc_serial(self):
        """Serial typed on the line by another module (claims), or ''."""
        self.ensure_one()
        if "x_fc_serial_number" not in self._fields:
            return ""
        return (self.x_fc_serial_number or "").strip()

    def _fc_unit_count(self):
        """Units sold on the line, in the product's unit (a started unit counts)."""
        self.ensure_one()
        qty = self.product_uom_qty
        if self.product_uom_id and self.product_id.uom_id:
            qty = self.product_uom_id._compute_quantity(qty, self.product_id.uom_id, round=False)
        return whole_units(qty)

    def _fc_prepare_maintenance_contract_values(self, policy, serial=""):
        self.ensure_one()
        order = self.order_id
        anchor = order._fc_maintenance_anchor_date()
        return {
            "partner_id": order.partner_id.id,
            "product_id": self.product_id.id,
            "original_sale_order_id": order.id,
            "x_fc_source_sale_line_id": self.id,
            "x_fc_source": "sale",
            "x_fc_device_serial": serial or False,
            "x_fc_policy_category_id": policy["category"].id or False,
            "interval_months": policy["interval_months"],
            "x_fc_maintenance_fee": policy["fee"],
            "currency_id": policy["currency"].id,
            "next_due_date": anchor + relativedelta(months=policy["interval_months"]),
            "company_id": order.company_id.id,
            "user_id": (order.user_id or self.env.user).id,
            "state": "active",
        }

    def _fc_spawn_maintenance_contracts(self):
        """Create one priced maintenance contract per maintainable unit sold on these lines
        (lines of confirmed orders only), and say so on each order.

        Policy: the product override beats its category policy. One contract per
        serialized unit (serial typed on the line), else one per unit of quantity.
        Safe to rerun: a line's existing contracts are counted (source-line regime) and a
        serial that already has an active contract of the same client is skipped (serial
        regime), so reconfirming creates nothing, and a line whose quantity was raised only
        gets contracts for its new units. A serial under contract with another client is
        enrolled for the new one all the same; the previous owner's contract ends only when
        the unit is delivered (``stock.picking._fc_end_previous_owner_contracts``).

        :return: the created and reactivated contracts
        """
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        lines = self.filtered(
            lambda ln: (
                ln.order_id.state == "sale"
                and not ln.display_type
                and ln.product_id.type == "consu"
                and ln.product_uom_qty > 0
                and not ln.is_downpayment
            )
        )
        if not lines:
            return Contract
        existing_per_line, withdrawn_per_line = lines._fc_existing_maintenance_contracts()
        serials_under_contract = self._fc_serials_under_contract(
            (line.product_id.id, line._fc_serial(), line.order_id.partner_id.id) for line in lines if line._fc_serial()
        )
        reactivated = Contract
        vals_list = []
        for line in lines:
            policy = line.product_id.product_tmpl_id._get_maintenance_policy()
            if not policy:
                continue
            existing = existing_per_line.get(line, 0)
            withdrawn = withdrawn_per_line.get(line, Contract)
            serial = line._fc_serial()
            if serial and withdrawn and not existing:
                reactivated |= withdrawn[:1]
                continue
            if serial:
                if existing or (line.product_id.id, serial, line.order_id.partner_id.id) in serials_under_contract:
                    continue
                vals_list.append(line._fc_prepare_maintenance_contract_values(policy, serial))
                continue
            missing = line._fc_unit_count() - existing
            back = withdrawn[: max(missing, 0)]
            reactivated |= back
            missing -= len(back)
            vals_list.extend(line._fc_prepare_maintenance_contract_values(policy) for _unit in range(missing))
        if reactivated:
            reactivated.write({"state": "active", "cancelled_with_sale": False})
        contracts = Contract.create(vals_list)
        for order in (contracts | reactivated).original_sale_order_id:
            order._fc_post_contracts_note(
                contracts.filtered(lambda c, order=order: c.original_sale_order_id == order),
                reactivated.filtered(lambda c, order=order: c.original_sale_order_id == order),
            )
        return contracts | reactivated

    def _fc_existing_maintenance_contracts(self):
        """Source-line regime of the enrolment, in bulk (two queries for any number of lines).

        :return: ``(existing_per_line, withdrawn_per_line)``: ``{line: count}`` of the contracts
            that count as enrolled units of each line (all but those cancelled with their sale),
            and ``{line: contracts}`` of those cancelled with their sale (order cancelled,
            quantity lowered), which come back before any new contract is made
        """
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        existing_per_line = dict(
            Contract.with_context(active_test=False)._read_group(
                [("x_fc_source_sale_line_id", "in", self.ids), ("cancelled_with_sale", "=", False)],
                ["x_fc_source_sale_line_id"],
                ["__count"],
            )
        )
        withdrawn_per_line = Contract.search(
            [("x_fc_source_sale_line_id", "in", self.ids), ("cancelled_with_sale", "=", True)], order="id"
        ).grouped("x_fc_source_sale_line_id")
        return existing_per_line, withdrawn_per_line

    @api.model
    def _fc_serials_under_contract(self, keys):
        """Serial regime of the enrolment, in bulk (one query): of the ``(product_id, serial,
        partner_id)`` keys, those already enrolled, i.e. with an active contract of that client
        for that serial of that product, whatever sale it came from.

        :return: a set of keys
        """
        keys = {key for key in keys if key[1]}
        if not keys:
            return set()
        contracts = (
            self.env["fusion.repair.maintenance.contract"]
            .sudo()
            .search_fetch(
                [
                    ("state", "=", "active"),
                    ("product_id", "in", list({key[0] for key in keys})),
                    ("x_fc_device_serial", "in", list({key[1] for key in keys})),
                    ("partner_id", "in", list({key[2] for key in keys})),
                ],
                ["product_id", "x_fc_device_serial", "partner_id"],
            )
        )
        return keys & {(c.product_id.id, c.x_fc_device_serial, c.partner_id.id) for c in contracts}

    def _fc_withdraw_surplus_contracts(self):
        """Cancel the contracts of units no longer sold on these lines, newest first; a unit
        with a booked or done visit is kept (and named on the order)."""
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        for line in self:
            if line._fc_serial():
                continue  # one contract per serial typed on the line, whatever the quantity
            live = Contract.search(
                [("x_fc_source_sale_line_id", "=", line.id), ("state", "!=", "cancelled")], order="id desc"
            )
            surplus = len(live) - line._fc_unit_count()
            if surplus <= 0:
                continue
            free = live.filtered(lambda c: not c.is_booked and not c.last_service_date)
            # not enough free ones: the visited/booked rest is kept and named on the order
            surplus_contracts = free[:surplus] | (live - free)[: max(surplus - len(free), 0)]
            line.order_id._fc_withdraw_maintenance_contracts(surplus_contracts)

    # ------------------------------------------------------------------
    # Pre-paid service plans sold
    # ------------------------------------------------------------------

    def _fc_get_sold_service_plan(self):
        """The service plan this line sells (its product is the plan's), or an empty record."""
        self.ensure_one()
        return (
            self.env["fusion.repair.service.plan"]
            .sudo()
            .search(
                [
                    ("product_id", "=", self.product_id.id),
                    ("company_id", "in", [False, self.order_id.company_id.id]),
                ],
                order="company_id, id",
                limit=1,
            )
        )

    def _fc_prepare_service_plan_subscription_values(self, plan):
        self.ensure_one()
        order = self.order_id
        partner = order.partner_id.commercial_partner_id
        start = fields.Date.context_today(self, timestamp=order.date_order) if order.date_order else None
        start = start or fields.Date.context_today(self)
        contracts = (
            self.env["fusion.repair.maintenance.contract"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("state", "=", "active"),
                    ("company_id", "=", order.company_id.id),
                ]
            )
        )
        contracts = contracts.filtered(lambda c: c._get_booking_category() in plan.category_ids)
        return {
            "partner_id": order.partner_id.id,
            "plan_id": plan.id,
            "company_id": order.company_id.id,
            "sale_line_id": self.id,
            "date_start": start,
            "date_end": plan._get_term_end(start),
            "visits_included": plan.visits_per_term,
            "contract_ids": [fields.Command.set(contracts.ids)],
        }

    def _fc_create_service_plan_subscriptions(self):
        """One subscription per plan sold on a confirmed order's line (never twice for a line;
        a renewal quotation's line extends its subscription instead)."""
        Subscription = self.env["fusion.repair.service.plan.subscription"].sudo()
        lines = self.filtered(
            lambda ln: (
                ln.order_id.state == "sale"
                and not ln.display_type
                and ln.product_id
                and ln.product_uom_qty > 0
                and not ln.order_id.x_fc_renewed_subscription_id
            )
        )
        if not lines:
            return Subscription
        done = set(Subscription.search([("sale_line_id", "in", lines.ids)]).sale_line_id.ids)
        subscriptions = Subscription
        for line in lines:
            if line.id in done:
                continue
            plan = line._fc_get_sold_service_plan()
            if not plan:
                continue
            subscription = Subscription.create(line._fc_prepare_service_plan_subscription_values(plan))
            subscription.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": subscription, "origin": line.order_id},
                subtype_xmlid="mail.mt_note",
            )
            line.order_id.message_post(
                body=self.env._(
                    "Service plan %(plan)s started: %(subscription)s, covering %(count)s unit(s).",
                    plan=plan.name,
                    subscription=subscription.name,
                    count=len(subscription.contract_ids),
                ),
                subtype_xmlid="mail.mt_note",
            )
            subscriptions |= subscription
        return subscriptions
