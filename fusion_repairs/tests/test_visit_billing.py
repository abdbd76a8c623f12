"""A priced visit: a done visit is charged with a confirmed sales order at the contract's fee,
which follows Odoo's invoicing (or is invoiced, posted and emailed at once when the setting is on).
The whole cycle, from the sale of a stair lift to the posted invoice, is at the end."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, TransactionCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import FROZEN_NOW, BookingFixturesMixin, BookingHttpMixin, toronto

VISIT_DAY = "2027-01-12 16:00:00"  # 11:00 in Toronto, during the visit booked below
AUTO_INVOICE = "fusion_repairs.auto_invoice_visits"


def hst_13(env, company):
    """A 13% sales tax (price excluded) of ``company``, with a tax group of its country."""
    country = company.account_fiscal_country_id or company.country_id or env.ref("base.ca")
    group = env["account.tax.group"].create({"name": "H3 HST", "company_id": company.id, "country_id": country.id})
    return env["account.tax"].create(
        {
            "name": "H3 HST 13%",
            "type_tax_use": "sale",
            "amount_type": "percent",
            "amount": 13.0,
            "price_include_override": "tax_excluded",
            "company_id": company.id,
            "country_id": country.id,
            "tax_group_id": group.id,
        }
    )


class VisitBillingMixin:
    @classmethod
    def _setup_billing(cls):
        cls._setup_booking_fixtures()
        cls.hst = hst_13(cls.env, cls.company)
        cls.service_product = cls.env["product.product"].create(
            {
                "name": "H3 Stair Lift Maintenance Visit",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 99.0,
                "taxes_id": [Command.set(cls.hst.ids)],
            }
        )
        cls.category.x_fc_maintenance_service_product_id = cls.service_product
        Item = cls.env["fusion.repair.maintenance.checklist.item"]
        cls.item_edges = Item.create(
            {"category_id": cls.category.id, "sequence": 1, "name": "Safety edges stop travel", "safety_critical": True}
        )
        cls.item_battery = Item.create({"category_id": cls.category.id, "sequence": 2, "name": "Battery voltage"})
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Olivia",
                "login": "office.olivia@h3.example.com",
                "email": "office.olivia@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

    def _answer(self, task, results):
        """Answer the checklist as the technician does on the task form."""
        with Form(task.with_user(self.technician)) as form:
            for index, result in enumerate(results):
                with form.visit_line_ids.edit(index) as line:
                    line.result = result

    def _do_visit(self, task, results=("pass", "pass")):
        """The technician's day: start, answer the checklist, finish."""
        with freeze_time(VISIT_DAY):
            task.with_user(self.technician).action_start()
            self._answer(task, results)
            task.with_user(self.technician).action_done()
        return task.maintenance_visit_id

    def _orders_of(self, partner):
        return self.env["sale.order"].search([("partner_id", "=", partner.id), ("client_order_ref", "like", "VISIT/")])


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitBilling(VisitBillingMixin, BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing()
        cls.contract.user_id = cls.office_user

    def _book_visit(self, contract=None):
        return self._book(contract or self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)

    def test_a_passed_visit_is_charged_once_with_a_confirmed_order(self):
        task = self._book_visit()
        visit = self._do_visit(task)
        self.assertEqual(visit.result, "passed")
        order = visit.sale_order_id
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id, self.client)
        self.assertEqual(order.user_id, self.office_user, "the contract's responsible sells it")
        self.assertEqual(order.company_id, self.contract.company_id)
        self.assertEqual(order.client_order_ref, visit.name)
        self.assertIn(visit.name, order.origin)
        line = order.order_line
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_id, self.service_product)
        self.assertEqual(line.price_unit, 149.0, "the contract's fee, not the product's price")
        self.assertEqual(line.tax_ids, self.hst)
        self.assertIn("H3 Freecurve Stair Lift", line.name)
        self.assertIn("serial SL-H3-0001", line.name)
        self.assertIn("January 12, 2027", line.name)
        self.assertEqual(order.amount_untaxed, 149.0)
        self.assertEqual(order.invoice_status, "to invoice", "it waits in To Invoice")
        self.assertFalse(order.invoice_ids, "automatic invoicing is off by default")
        # linked from the contract (smart button) and noted there
        self.assertEqual(self.contract.x_fc_visit_sale_order_ids, order)
        self.assertEqual(self.contract.x_fc_visit_sale_order_count, 1)
        action = self.contract.with_user(self.office_user).action_view_visit_sale_orders()
        self.assertEqual(action["res_id"], order.id)
        self.assertTrue(self.contract.message_ids.filtered(lambda m: order.name in str(m.body)))
        # finishing again (a retry of the done path) charges nothing more
        visit._finish()
        visit._after_finish()
        self.assertEqual(visit.sale_order_id, order)
        self.assertEqual(self._orders_of(self.client), order)

    def test_a_failed_visit_is_charged_too(self):
        task = self._book_visit()
        visit = self._do_visit(task, results=("fail", "pass"))
        self.assertEqual(visit.result, "failed")
        self.assertEqual(visit.sale_order_id.state, "sale")
        self.assertEqual(visit.sale_order_id.amount_untaxed, 149.0)

    def test_a_visit_not_done_is_not_charged(self):
        task = self._book_visit()
        with freeze_time(VISIT_DAY):
            task.with_user(self.technician)._record_visit_not_done("client_absent")
        visit = task.maintenance_visit_id
        self.assertEqual(visit.result, "not_done")
        self.assertFalse(visit.sale_order_id)
        self.assertFalse(self._orders_of(self.client))

    def test_a_free_unit_and_the_addons_product(self):
        # no fee: no order
        self.contract.x_fc_maintenance_fee = 0.0
        visit = self._do_visit(self._book_visit())
        self.assertEqual(visit.result, "passed")
        self.assertFalse(visit.sale_order_id)
        self.assertFalse(self._orders_of(self.client))
        # a category without a service product: the addon's "Maintenance Visit", no tax of its own
        self.category.x_fc_maintenance_service_product_id = False
        other = self._create_booking_contract(self.client, serial="SL-H3-0002", user_id=self.office_user.id)
        visit = self._do_visit(self._book(other, toronto(2027, 1, 12, 13, 0), technician=self.technician))
        line = visit.sale_order_id.order_line
        fallback = self.env.ref("fusion_repairs.product_product_maintenance_visit")
        self.assertEqual(line.product_id, fallback)
        self.assertEqual((fallback.type, fallback.invoice_policy), ("service", "order"))
        self.assertEqual(line.price_unit, 149.0)
        self.assertFalse(line.tax_ids)

    def test_a_problem_becomes_a_note_and_an_activity_not_a_failed_visit(self):
        task = self._book_visit()
        Visit = self.registry["fusion.repair.maintenance.visit"]
        with (
            patch.object(Visit, "_create_visit_sale_order", side_effect=UserError("no account for sales")),
            mute_logger("odoo.addons.fusion_repairs.models.maintenance_visit_billing"),
        ):
            visit = self._do_visit(task)
        self.assertEqual((task.state, visit.state, visit.result), ("done", "done", "passed"))
        self.assertFalse(visit.sale_order_id)
        activity = self.contract.activity_ids.filtered(lambda a: visit.name in (a.summary or ""))
        self.assertEqual(activity.user_id, self.office_user)
        self.assertIn("could not be charged", str(activity.note))
        self.assertIn("no account for sales", str(activity.note))

    def test_automatic_invoicing_posts_and_emails_the_invoice(self):
        self.env["ir.config_parameter"].sudo().set_param(AUTO_INVOICE, "True")
        visit = self._do_visit(self._book_visit())
        order = visit.sale_order_id
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual((invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (149.0, 19.37, 168.37))
        mail = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", invoice.id), ("recipient_ids", "in", self.client.ids)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued")

    def test_the_demo_hst_can_be_invoiced_to_an_ontario_client(self):
        """The demo's tax setup: an Ontario dealer on the generic chart reports in Canada, so an
        invoice with HST 13% posts (it was refused as "not compatible with your fiscal position")."""
        product = self.env["product.product"].create(
            {"name": "H3 Demo Visit", "type": "service", "invoice_policy": "order", "list_price": 149.0}
        )
        self.env["product.template"]._fc_demo_set_ontario_hst(product.ids, self.company.id)
        self.assertEqual(self.company.account_fiscal_country_id, self.env.ref("base.ca"))
        order = self.env["sale.order"].create(
            {"partner_id": self.client.id, "order_line": [Command.create({"product_id": product.id})]}
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual((invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (149.0, 19.37, 168.37))

    def test_the_setting_is_a_boolean_off_by_default(self):
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.x_fc_auto_invoice_visits)
        settings.x_fc_auto_invoice_visits = True
        settings.execute()
        self.assertTrue(self.env["res.config.settings"].create({}).x_fc_auto_invoice_visits)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitBillingWholeCycle(VisitBillingMixin, BookingHttpMixin, HttpCase):
    """A stair lift sold and delivered in July, its reminder in January, booked on the website,
    the visit done: a confirmed order and a posted, emailed invoice at 149.00 + HST 13%."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing()
        cls.stock_location = (
            cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1).lot_stock_id
        )

    def test_sale_delivery_reminder_booking_visit_order_and_invoice(self):
        env = self.env
        env["ir.config_parameter"].sudo().set_param(AUTO_INVOICE, "True")
        client = self._create_booking_client("H3 Harold Cycle", "harold.h3@example.com")
        lift = self._create_serial_tracked_product()
        lot = env["stock.lot"].create({"name": "SL-H3-CYCLE-1", "product_id": lift.id})
        env["stock.quant"]._update_available_quantity(lift, self.stock_location, 1.0, lot_id=lot)

        # July: the sale, then the delivery
        with freeze_time("2026-07-15 15:00:00"):
            sale = env["sale.order"].create(
                {
                    "partner_id": client.id,
                    "user_id": self.office_user.id,
                    "commitment_date": "2026-07-17 15:00:00",
                    "order_line": [Command.create({"product_id": lift.id, "product_uom_qty": 1})],
                }
            )
            sale.action_confirm()
        contract = env["fusion.repair.maintenance.contract"].search([("original_sale_order_id", "=", sale.id)])
        self.assertEqual(len(contract), 1)
        with freeze_time("2026-07-20 15:00:00"):
            picking = sale.picking_ids
            picking.action_assign()
            picking.move_ids.picked = True
            picking.button_validate()
            self.assertEqual(picking.state, "done")
        self.assertEqual(contract.lot_id, lot)
        self.assertEqual(contract.next_due_date.isoformat(), "2027-01-20")

        # January: the reminder job emails the booking link
        env.ref("fusion_repairs.ir_cron_maintenance_due_reminders").method_direct_trigger()
        env.invalidate_all()
        reminder = env["mail.mail"].search(
            [("model", "=", contract._name), ("res_id", "=", contract.id), ("recipient_ids", "in", client.ids)]
        )
        self.assertEqual(len(reminder), 1)
        link = self._links(reminder.body_html)[0]
        self.assertEqual(link, contract.booking_url)

        # the client books the first free time on the website
        doc = self._doc(self.url_open(link))
        slot = self._enabled_slot_starts(doc)[0]
        response = self._confirm(contract.booking_token, slot, self._csrf(doc), self._seen_booking(doc))
        self.assertEqual(response.status_code, 200)
        self.assertIn("notice=booked", response.url)
        task = contract.task_id
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 12, 10, 0))

        # the visit: checklist answered, finished
        visit = self._do_visit(task)
        self.assertEqual((visit.state, visit.result), ("done", "passed"))

        # the confirmed order
        order = visit.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id, client)
        self.assertEqual(order.user_id, self.office_user)
        self.assertEqual(order.order_line.product_id, self.service_product)
        self.assertIn("serial SL-H3-CYCLE-1", order.order_line.name)
        self.assertIn("January 12, 2027", order.order_line.name)
        self.assertEqual(contract.x_fc_visit_sale_order_ids, order)
        # its posted invoice, to the cent
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, client)
        self.assertEqual(invoice.currency_id.round(invoice.amount_untaxed), 149.0)
        self.assertEqual(invoice.currency_id.round(invoice.amount_tax), 19.37)
        self.assertEqual(invoice.currency_id.round(invoice.amount_total), 168.37)
        tax_line = invoice.line_ids.filtered(lambda line: line.tax_line_id == self.hst)
        self.assertAlmostEqual(abs(tax_line.balance), 19.37, places=2)
        self.assertTrue(invoice.invoice_line_ids.account_id, "a bookkeeper could post it")
        # and its email, queued for the client with the invoice
        mail = env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", invoice.id), ("recipient_ids", "in", client.ids)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(invoice.name, mail.subject)
        self.assertTrue(mail.attachment_ids.filtered(lambda a: a.name.endswith(".pdf")), "the invoice PDF")
        # the client opens (and pays) it on the portal through the email's link
        self.assertIn("View Invoice", mail.body_html)
        self.assertIn(f"access_token={invoice.access_token}", mail.body_html)
        self.assertIn("168.37", mail.body_html)
