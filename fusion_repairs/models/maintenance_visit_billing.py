from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date, formatLang

from .maintenance_contract import OFFICE_GROUPS
from .safe_steps import try_step

# the work was done: the visit is charged, whatever it found
BILLED_RESULTS = ("passed", "passed_remarks", "failed")
FALLBACK_SERVICE_PRODUCT = "fusion_repairs.product_product_maintenance_visit"
AUTO_INVOICE_PARAM = "fusion_repairs.auto_invoice_visits"


class FusionRepairMaintenanceVisit(models.Model):
    """The charge of a done visit: a confirmed sales order in the client's name at the
    contract's fee, which then follows Odoo's own invoicing ("To Invoice"), or is invoiced,
    posted and emailed at once when the company invoices visits automatically."""

    _inherit = "fusion.repair.maintenance.visit"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="sales_team.group_sale_salesman",
    )

    service_plan_subscription_id = fields.Many2one(
        "fusion.repair.service.plan.subscription",
        string="Covered by Plan",
        readonly=True,
        groups=OFFICE_GROUPS,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    _sale_order_unique = models.UniqueIndex(
        "(sale_order_id) WHERE sale_order_id IS NOT NULL",
        "A sales order charges one maintenance visit.",
    )

    # ------------------------------------------------------------------
    # The hook
    # ------------------------------------------------------------------

    def _bill_visit_if_due(self):
        """A visit whose work was done is charged once: the order is created and confirmed,
        and invoiced at once if the company says so. A problem never fails the visit: it
        becomes a note and an activity on the contract for its responsible."""
        res = super()._bill_visit_if_due()
        for visit in self.sudo():
            if visit._is_billing_due():
                visit._bill_visit()
        return res

    def _is_billing_due(self):
        self.ensure_one()
        contract = self.contract_id
        return (
            self.state == "done"
            and self.result in BILLED_RESULTS
            and not self.sale_order_id
            and contract.currency_id.compare_amounts(contract.x_fc_maintenance_fee, 0.0) > 0
        )

    def _bill_visit(self):
        self.ensure_one()
        contract = self.contract_id
        order, error = try_step(self.env.cr, self._create_visit_sale_order, f"Sales order of visit {self.name}")
        if error:
            self._report_billing_problem(
                self.env._(
                    "Visit %(visit)s could not be charged: no sales order was created (%(error)s)."
                    " Create it by hand at the fee of %(fee)s.",
                    visit=self.name,
                    error=self._format_error(error),
                    fee=self._format_fee(),
                )
            )
            return False
        if self.service_plan_subscription_id:
            contract.message_post(
                body=self.env._(
                    "Visit %(visit)s covered by service plan %(plan)s: sales order %(order)s at no charge.",
                    visit=self.name,
                    plan=self.service_plan_subscription_id.name,
                    order=order.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return order
        contract.message_post(
            body=self.env._(
                "Visit %(visit)s charged: sales order %(order)s, %(amount)s.",
                visit=self.name,
                order=order.name,
                amount=self._format_amount(order.amount_total, order.currency_id),
            ),
            subtype_xmlid="mail.mt_note",
        )
        if self._is_auto_invoice_enabled():
            self._invoice_visit_order(order)
        return order

    # ------------------------------------------------------------------
    # Pre-paid service plans
    # ------------------------------------------------------------------

    def _counts_against_plan(self):
        """A covered visit uses one visit of its plan unless it was cancelled, or its
        (zero) sales order was: then the visit is given back."""
        self.ensure_one()
        return (
            bool(self.service_plan_subscription_id)
            and self.state != "cancelled"
            and self.sudo().sale_order_id.state != "cancel"
        )

    def _get_covering_subscription(self):
        """The active plan with visits left that covers this visit's unit on its date."""
        self.ensure_one()
        return self.contract_id._get_covering_subscription(self.visit_date or fields.Date.context_today(self))

    def _get_visit_service_product(self):
        """The category's service product, else the addon's "Maintenance Visit"."""
        self.ensure_one()
        category = self.contract_id._get_booking_category()
        product = category.x_fc_maintenance_service_product_id or self.env.ref(
            FALLBACK_SERVICE_PRODUCT, raise_if_not_found=False
        )
        if not product:
            raise UserError(self.env._("no maintenance service product is set"))
        return product

    def _get_visit_line_description(self, product):
        """The service product, then "Handicare Freecurve Stair Lift, serial SL-0001, visit of
        January 12, 2027, VISIT/2027/00012" (in the client's language)."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        client_env = self.with_context(lang=lang).env  # the order and invoice lines are the client's
        parts = [self.product_id.with_context(lang=lang).display_name or self.contract_id.display_name]
        serial = self.serial or self.contract_id.serial_display
        if serial:
            parts.append(client_env._("serial %s", serial))
        if self.visit_date:
            parts.append(
                client_env._("visit of %s", format_date(self.env, self.visit_date, lang_code=lang, date_format="long"))
            )
        parts.append(self.name)
        return "%s\n%s" % (product.with_context(lang=lang).display_name, ", ".join(parts))

    def _prepare_visit_sale_order_values(self, subscription=None):
        self.ensure_one()
        contract = self.contract_id
        product = self._get_visit_service_product()
        description = self._get_visit_line_description(product)
        if subscription:
            lang = self.partner_id.lang or self.env.lang
            description = "%s\n%s" % (
                self.with_context(lang=lang).env._(
                    "Covered by %(plan)s: visit %(number)s of %(total)s",
                    plan=subscription.plan_id.with_context(lang=lang).name,
                    number=subscription.visits_used + 1,
                    total=subscription.visits_included,
                ),
                description,
            )
        responsible = contract.user_id if contract.user_id and not contract.user_id.share else self.env["res.users"]
        return {
            "partner_id": contract.partner_id.id,
            "company_id": contract.company_id.id,
            "user_id": responsible.id,
            "client_order_ref": self.name,
            "origin": "%s (%s)" % (self.name, contract.name),
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1.0,
                        "name": description,
                    }
                )
            ],
        }

    def _create_visit_sale_order(self):
        """Create and confirm the order; the fee is the price (in the order's currency), the
        taxes are the product's, mapped by the client's fiscal position (Odoo's line compute)."""
        self.ensure_one()
        # a retry of the done path charges nothing twice
        self.lock_for_update()
        if self.sale_order_id:
            return self.sale_order_id
        contract = self.contract_id
        company = contract.company_id
        SaleOrder = self.env["sale.order"].sudo().with_company(company).with_context(mail_create_nosubscribe=True)
        # a pre-paid plan with visits left covers the visit: the line is at 0 and the plan
        # counts it (its row is locked, so two visits never take its last visit)
        subscription = self._get_covering_subscription()
        if subscription:
            subscription.lock_for_update()
            subscription.invalidate_recordset(["visits_used", "visits_left"])
            on_date = self.visit_date or fields.Date.context_today(self)
            subscription = subscription.filtered(lambda sub: sub._covers(contract, on_date))
        order = SaleOrder.create(self._prepare_visit_sale_order_values(subscription))
        fee = 0.0
        if not subscription:
            fee = contract.currency_id._convert(
                contract.x_fc_maintenance_fee,
                order.currency_id,
                company,
                self.visit_date or fields.Date.context_today(self),
            )
        order.order_line.price_unit = fee
        order.action_confirm()
        self.write({"sale_order_id": order.id, "service_plan_subscription_id": subscription.id or False})
        if subscription:
            subscription.message_post(
                body=self.env._(
                    "Visit %(visit)s of %(unit)s covered (%(used)s of %(total)s visits used).",
                    visit=self.name,
                    unit=contract.display_name,
                    used=subscription.visits_used,
                    total=subscription.visits_included,
                ),
                subtype_xmlid="mail.mt_note",
            )
        order.message_post(
            body=self.env._(
                "Charge of maintenance visit %(visit)s (contract %(contract)s).",
                visit=self.name,
                contract=contract.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return order

    # ------------------------------------------------------------------
    # Automatic invoicing
    # ------------------------------------------------------------------

    def _is_auto_invoice_enabled(self):
        value = self.env["ir.config_parameter"].sudo().get_param(AUTO_INVOICE_PARAM)
        return str(value).lower() in ("1", "true", "yes")

    def _invoice_visit_order(self, order):
        """Invoice the order, post the invoice and email it with Odoo's invoice email (the
        client pays it through its portal link). Each step that fails is left to the office."""
        self.ensure_one()

        def create_and_post():
            invoice = order.with_company(order.company_id)._create_invoices()
            invoice.action_post()
            return invoice

        invoice, error = try_step(self.env.cr, create_and_post, f"Invoice of visit {self.name}")
        if error:
            self._report_billing_problem(
                self.env._(
                    "Sales order %(order)s of visit %(visit)s could not be invoiced automatically (%(error)s):"
                    " invoice it from the order.",
                    order=order.name,
                    visit=self.name,
                    error=self._format_error(error),
                )
            )
            return self.env["account.move"]
        error = self._send_visit_invoice(invoice)
        if error:
            self._report_billing_problem(
                self.env._(
                    "Invoice %(invoice)s of visit %(visit)s is posted but could not be emailed to the client"
                    " (%(error)s): send it from the invoice.",
                    invoice=invoice.name,
                    visit=self.name,
                    error=error,
                )
            )
        else:
            self.contract_id.message_post(
                body=self.env._(
                    "Invoice %(invoice)s of visit %(visit)s posted and emailed to the client.",
                    invoice=invoice.name,
                    visit=self.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return invoice

    def _send_visit_invoice(self, invoice):
        """Odoo's "Send" of the invoice by email (template ``account.email_template_edi_invoice``,
        PDF attached), queued in the mail queue.

        :return: None, or the reason it could not be sent
        """
        if not invoice.partner_id.email:
            return self.env._("the client has no email address")
        author = self.contract_id.user_id
        settings = {"sending_methods": {"email"}}
        if author and not author.share:
            settings.update(author_user_id=author.id, author_partner_id=author.partner_id.id)
        _sent, error = try_step(
            self.env.cr,
            lambda: (
                self.env["account.move.send"]
                .with_company(invoice.company_id)
                .with_context(mail_notify_force_send=False)
                ._generate_and_send_invoices(invoice, allow_fallback_pdf=True, **settings)
            ),
            f"Invoice email of visit {self.name}",
        )
        return self._format_error(error) if error else None

    # ------------------------------------------------------------------
    # Problems: a note and an activity for the contract's responsible
    # ------------------------------------------------------------------

    def _report_billing_problem(self, message):
        self.ensure_one()
        contract = self.contract_id
        contract.message_post(body=message, subtype_xmlid="mail.mt_note")
        activity_type = self.env.ref(
            "fusion_repairs.mail_activity_type_maintenance_follow_up", raise_if_not_found=False
        )
        responsible = contract.user_id
        if not responsible or responsible.share:
            responsible = self.task_id._get_office_user()
        contract.activity_schedule(
            activity_type_id=activity_type.id if activity_type else None,
            summary=self.env._("Charge maintenance visit %s", self.name),
            note=message,
            user_id=responsible.id or self.env.uid,
        )

    @staticmethod
    def _format_error(error):
        return str(getattr(error, "args", [None])[0] or error) or error.__class__.__name__

    def _format_fee(self):
        contract = self.contract_id
        return self._format_amount(contract.x_fc_maintenance_fee, contract.currency_id)

    def _format_amount(self, amount, currency):
        return formatLang(self.env, amount, currency_obj=currency)
