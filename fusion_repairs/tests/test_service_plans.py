"""Pre-paid service plans: sold on a sales order, covering the visits of the client's units
(a covered visit's order line is at 0), given back when cancelled, said on the reminder and the
booking page, renewed by a quotation emailed before the end, expired after it."""

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, BookingHttpMixin, toronto
from .test_visit_billing import VisitBillingMixin


class ServicePlanMixin(VisitBillingMixin):
    @classmethod
    def _setup_plans(cls):
        cls._setup_billing()
        cls.plan_product = cls.env["product.product"].create(
            {"name": "H3 Stair Lift Care Plan (1 year)", "type": "service", "list_price": 249.0}
        )
        cls.plan = cls.env["fusion.repair.service.plan"].create(
            {
                "name": "Stair Lift Care Plan",
                "product_id": cls.plan_product.id,
                "visits_per_term": 2,
                "term_months": 12,
                "category_ids": [Command.set(cls.category.ids)],
            }
        )
        cls.other_category = cls.env["fusion.repair.product.category"].create(
            {
                "name": "H3 Bed",
                "code": "H3-BED",
                "equipment_class": "lift_elevating",
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_fee": 99.0,
            }
        )
        cls.bed = cls.env["product.product"].create(
            {"name": "H3 Bed", "type": "consu", "x_fc_repair_category_id": cls.other_category.id}
        )

    def _sell_plan(self, partner=None):
        """Sell the plan, confirmed on FROZEN_NOW (January 11, 2027): the order date."""
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.client).id,
                "order_line": [Command.create({"product_id": self.plan_product.id})],
            }
        )
        order.action_confirm()
        return order, self.env["fusion.repair.service.plan.subscription"].search(
            [("sale_line_id", "in", order.order_line.ids)]
        )

    def _subscribe(self, contracts, start="2026-12-01", end="2027-12-01", visits=2):
        return self.env["fusion.repair.service.plan.subscription"].create(
            {
                "partner_id": contracts[:1].partner_id.id,
                "plan_id": self.plan.id,
                "date_start": start,
                "date_end": end,
                "visits_included": visits,
                "contract_ids": [Command.set(contracts.ids)],
            }
        )

    def _visit_on(self, contract, day):
        """Book ``contract`` on January ``day``, 2027 at 10:00 and do the visit that morning."""
        task = self._book(contract, toronto(2027, 1, day, 10, 0), technician=self.technician)
        with freeze_time(f"2027-01-{day:02d} 16:00:00"):
            task.with_user(self.technician).action_start()
            self._answer(task, ("pass", "pass"))
            task.with_user(self.technician).action_done()
        return task.maintenance_visit_id


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestServicePlans(ServicePlanMixin, BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_plans()

    def test_a_plan_sold_creates_the_subscription_covering_the_clients_units(self):
        bed_contract = self._create_booking_contract(self.client, serial="BED-1", product=self.bed)
        order, subscription = self._sell_plan()
        self.assertEqual(len(subscription), 1)
        self.assertTrue(subscription.name.startswith("PLAN/"))
        self.assertEqual(subscription.partner_id, self.client)
        self.assertEqual(subscription.plan_id, self.plan)
        self.assertEqual(subscription.state, "active")
        self.assertEqual(str(subscription.date_start), "2027-01-11")
        self.assertEqual(str(subscription.date_end), "2028-01-11")
        self.assertEqual(subscription.visits_included, 2)
        self.assertEqual(subscription.visits_used, 0)
        self.assertEqual(subscription.contract_ids, self.contract, "the stair lift, not the bed")
        self.assertNotIn(bed_contract, subscription.contract_ids)
        # never twice for one line
        order.order_line._fc_create_service_plan_subscriptions()
        order._action_confirm()
        self.assertEqual(
            self.env["fusion.repair.service.plan.subscription"].search_count([("partner_id", "=", self.client.id)]), 1
        )
        # the office can change which units it covers
        subscription.with_user(self.office_user).contract_ids = [Command.link(bed_contract.id)]
        self.assertIn(bed_contract, subscription.contract_ids)

    def test_a_covered_visit_is_at_zero_and_consumes_one_visit(self):
        _order, subscription = self._sell_plan()
        visit = self._visit_on(self.contract, 12)
        order = visit.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amount_total, 0.0)
        line = order.order_line
        self.assertEqual(line.price_unit, 0.0)
        self.assertTrue(line.name.startswith("Covered by Stair Lift Care Plan: visit 1 of 2"), line.name)
        self.assertEqual(visit.service_plan_subscription_id, subscription)
        self.assertEqual(subscription.visits_used, 1)
        self.assertEqual(subscription.visits_left, 1)

    def test_the_third_visit_of_a_two_visit_plan_is_charged(self):
        second = self._create_booking_contract(self.client, serial="SL-H3-0002")
        third = self._create_booking_contract(self.client, serial="SL-H3-0003")
        subscription = self._subscribe(self.contract | second | third)
        first_visit = self._visit_on(self.contract, 12)
        second_visit = self._visit_on(second, 13)
        third_visit = self._visit_on(third, 14)
        self.assertIn("visit 1 of 2", first_visit.sale_order_id.order_line.name)
        self.assertIn("visit 2 of 2", second_visit.sale_order_id.order_line.name)
        self.assertEqual(second_visit.sale_order_id.amount_untaxed, 0.0)
        self.assertFalse(third_visit.service_plan_subscription_id)
        self.assertEqual(third_visit.sale_order_id.order_line.price_unit, 149.0)
        self.assertNotIn("Covered", third_visit.sale_order_id.order_line.name)
        self.assertEqual(subscription.visits_used, 2)

    def test_a_cancelled_visit_gives_its_visit_back_once(self):
        second = self._create_booking_contract(self.client, serial="SL-H3-0002")
        subscription = self._subscribe(self.contract | second)
        visit = self._visit_on(self.contract, 12)
        self.assertEqual(subscription.visits_used, 1)
        visit.sale_order_id._action_cancel()
        self.assertEqual(subscription.visits_used, 0, "the cancelled visit gives its visit back")
        visit.sale_order_id._action_cancel()
        self.assertEqual(subscription.visits_used, 0, "nothing is given back twice")
        self.assertEqual(subscription.visits_left, 2)
        # a booked visit cancelled before it is done never used one
        task = self._book(second, toronto(2027, 1, 13, 10, 0), technician=self.technician)
        second.action_cancel_booking()
        self.assertEqual(task.state, "cancelled")
        self.assertEqual(subscription.visits_used, 0)
        self.assertEqual(self._visit_on(second, 14).service_plan_subscription_id, subscription)
        self.assertEqual(subscription.visits_used, 1)

    def test_the_reminder_of_a_covered_unit_says_so(self):
        self._subscribe(self.contract)
        template = self.env.ref("fusion_repairs.email_template_maintenance_due_reminder")
        body = template._render_field("body_html", self.contract.ids)[self.contract.id]
        self.assertIn("Covered by your service plan", body)
        self.assertNotIn("149", body.replace(self.contract.booking_token, ""))
        other = self._create_booking_contract(self.client, serial="SL-H3-0009")
        body = template._render_field("body_html", other.ids)[other.id]
        self.assertIn("149.00", body)
        self.assertNotIn("Covered by your service plan", body)

    def test_the_booking_confirmation_of_a_covered_unit_says_so(self):
        self._subscribe(self.contract)
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "is booked" in m.subject)
        self.assertEqual(len(confirmation), 1)
        self.assertIn("Covered by your service plan", str(confirmation.body))
        self.assertNotIn("149.00", str(confirmation.body))

    def _run_cron(self):
        cron = self.env.ref("fusion_repairs.ir_cron_service_plan_renewals")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def test_the_renewal_quotation_is_emailed_once_and_extends_the_subscription(self):
        _order, subscription = self._sell_plan()
        Order = self.env["sale.order"]
        with freeze_time("2027-12-11 15:00:00"):  # 31 days before the end: not yet
            self._run_cron()
        self.assertFalse(Order.search([("x_fc_renewed_subscription_id", "=", subscription.id)]))
        with freeze_time("2027-12-12 15:00:00"):  # 30 days before the end
            self._run_cron()
            self._run_cron()
        renewal = Order.search([("x_fc_renewed_subscription_id", "=", subscription.id)])
        self.assertEqual(len(renewal), 1, "one renewal quotation, even when the cron runs twice")
        self.assertEqual(subscription.renewal_order_id, renewal)
        self.assertEqual(renewal.state, "sent", "sent with the quotation email")
        self.assertEqual(renewal.partner_id, self.client)
        self.assertEqual(renewal.order_line.product_id, self.plan_product)
        self.assertEqual(renewal.amount_untaxed, 249.0)
        self.assertIn("until January 11, 2029", str(renewal.note), "the end date in words")
        mails = self.env["mail.mail"].search([("model", "=", "sale.order"), ("res_id", "=", renewal.id)])
        self.assertEqual(len(mails), 1)
        self.assertIn(self.client, mails.recipient_ids)
        self.assertIn(renewal.name, mails.subject)
        # the client accepts: the same subscription gets one more term and its visits
        renewal.action_confirm()
        self.assertEqual(str(subscription.date_end), "2029-01-11")
        self.assertEqual(subscription.visits_included, 4)
        self.assertEqual(subscription.state, "active")
        self.assertEqual(
            self.env["fusion.repair.service.plan.subscription"].search_count([("partner_id", "=", self.client.id)]), 1
        )
        renewal._action_confirm()
        self.assertEqual(str(subscription.date_end), "2029-01-11", "a renewal extends once")

    def test_an_ended_subscription_expires_and_the_next_visit_is_charged(self):
        subscription = self._subscribe(self.contract, start="2026-01-10", end="2027-01-10")
        self._run_cron()
        self.assertEqual(subscription.state, "expired")
        self.assertFalse(self.contract._get_covering_subscription())
        visit = self._visit_on(self.contract, 12)
        self.assertFalse(visit.service_plan_subscription_id)
        self.assertEqual(visit.sale_order_id.order_line.price_unit, 149.0)

    def test_the_renewal_setting_keeps_zero(self):
        settings = self.env["res.config.settings"].create({"x_fc_plan_renewal_days": 0})
        settings.execute()
        self.assertEqual(self.env["fusion.repair.service.plan.subscription"]._get_renewal_days(), 0)
        self.env["ir.config_parameter"].sudo().set_param("fusion_repairs.plan_renewal_days", False)
        self.assertEqual(self.env["fusion.repair.service.plan.subscription"]._get_renewal_days(), 30)

    def test_technicians_cannot_read_plans(self):
        subscription = self._subscribe(self.contract)
        Subscription = self.env["fusion.repair.service.plan.subscription"].with_user(self.technician)
        self.assertFalse(Subscription.has_access("read"))
        self.assertTrue(subscription.with_user(self.office_user).has_access("write"))


@tagged("post_install", "-at_install")
class TestServicePlanBookingPage(ServicePlanMixin, BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_plans()

    def test_the_booking_page_of_a_covered_unit_says_so(self):
        self._subscribe(self.contract, start="2020-01-01", end="2099-12-31")
        response = self._open(self.contract.booking_token)
        self.assertEqual(response.status_code, 200)
        fee = self._text(self._doc(response), "o_fc_fee")
        self.assertIn("Covered by your service plan", fee)
        self.assertNotIn("149", fee)
        self.assertNotIn("149.00", self._page_text(response))
