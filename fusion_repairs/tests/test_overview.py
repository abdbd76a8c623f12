"""The Maintenance Overview: every headline figure moves by exactly what happens in the
business (a sale, reminders, bookings online and by the office, visits on time / late / not
done, a unit out of service, an overdue contract, visit orders, plans sold and due for
renewal), each figure opens exactly those records, the analysis report adds up to the same
totals, and only office staff may read the figures (JSON-RPC included).

Figures are compared before and after, so demo data never changes a result."""

from datetime import timedelta

from odoo import Command, fields
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, FusionRepairsCommon, toronto

VISIT_DAY = "2027-01-12 16:00:00"  # 11:00 in Toronto: the visits booked below
AFTER_VISITS = "2027-01-13 15:00:00"  # the office looks at the overview the day after
OVERVIEW = "fusion.repair.maintenance.overview"
ACCESS_ERROR = "odoo.exceptions.AccessError"
PASSWORD = "H3-overview-2027"
REPORT_MEASURES = (
    "visit_count",
    "on_time_count",
    "late_count",
    "not_done_count",
    "reminder_count",
    "reminder_booked_count",
    "visit_revenue",
    "plan_revenue",
)


def office_user(env, login):
    return env["res.users"].create(
        {
            "name": f"H3 Office {login}",
            "login": f"{login}@h3-overview.example.com",
            "email": f"{login}@h3-overview.example.com",
            "password": PASSWORD,
            "group_ids": [
                Command.set(
                    [
                        # office staff see every order (All Documents): the figures count what they can open
                        env.ref("sales_team.group_sale_salesman_all_leads").id,
                        env.ref("stock.group_stock_user").id,
                    ]
                )
            ],
        }
    )


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestMaintenanceOverview(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.office = office_user(cls.env, "olivia")
        cls.Overview = cls.env[OVERVIEW].with_user(cls.office)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _figures(self):
        with freeze_time(AFTER_VISITS):
            return self.Overview.get_overview_figures()["figures"]

    def _records(self, figure):
        action = figure["action"]
        return self.env[action["res_model"]].with_user(self.office).search(action["domain"])

    def _report_totals(self):
        Report = self.env["fusion.repair.maintenance.report"].with_user(self.office)
        [totals] = Report._read_group([], [], [f"{measure}:sum" for measure in REPORT_MEASURES])
        return dict(zip(REPORT_MEASURES, totals, strict=True))

    def _contract(self, serial, due):
        return self._create_booking_contract(self.client, serial=serial, next_due_date=due)

    def _finish(self, task):
        with freeze_time(VISIT_DAY):
            task.with_user(self.technician).action_start()
            task.with_user(self.technician).action_done()
        return task.maintenance_visit_id

    # ------------------------------------------------------------------
    # The figures follow the business
    # ------------------------------------------------------------------

    def test_figures_follow_what_happens_and_open_exactly_those_records(self):
        before = self._figures()
        before_records = {key: self._records(figure) for key, figure in before.items()}
        report_before = self._report_totals()
        env = self.env

        # a sale of two maintainable units: both enrolled
        order = env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        sold_contracts = order.x_fc_maintenance_contract_ids
        self.assertEqual(len(sold_contracts), 2)

        # three units reminded and booked: online on time, by the office late, not done
        on_time = self._contract("SL-H3-OV-ONTIME", "2027-01-25")
        late = self._contract("SL-H3-OV-LATE", "2027-01-05")
        not_done = self._contract("SL-H3-OV-NOTDONE", "2027-01-20")
        self.assertTrue(on_time._send_due_reminder(30))
        self.assertTrue(late._send_due_reminder(7))
        self.assertTrue(not_done._send_due_reminder(30))
        self.assertTrue(not_done._send_due_reminder(7))
        task_on_time = self._book(on_time, toronto(2027, 1, 12, 10), by="client", notify=False)
        task_late = self._book(late, toronto(2027, 1, 12, 12), notify=False)
        task_not_done = self._book(not_done, toronto(2027, 1, 12, 14), notify=False)
        self.assertEqual(task_on_time.booked_by, "client")
        self.assertEqual((task_late | task_not_done).mapped("booked_by"), ["office", "office"])
        visit_on_time = self._finish(task_on_time)
        visit_late = self._finish(task_late)
        with freeze_time(VISIT_DAY):
            task_not_done.with_user(self.technician).action_start()
            task_not_done.with_user(self.technician)._record_visit_not_done("client_absent")
        visit_not_done = task_not_done.maintenance_visit_id
        self.assertEqual(
            (visit_on_time.timeliness, visit_late.timeliness, visit_not_done.timeliness),
            ("on_time", "late", "not_done"),
        )
        visit_orders = visit_on_time.sale_order_id | visit_late.sale_order_id
        self.assertEqual(visit_orders.mapped("state"), ["sale", "sale"])

        # a unit out of service, an overdue contract
        out_of_service = self._contract("SL-H3-OV-OOS", "2027-03-01")
        out_of_service.write({"x_fc_out_of_service": True, "x_fc_out_of_service_since": fields.Datetime.now()})
        overdue = self._contract("SL-H3-OV-OVERDUE", "2027-01-02")

        # a plan sold (12 months) and one ending within the renewal days
        plan_product = env["product.product"].create(
            {"name": "H3 Care Plan", "type": "service", "list_price": 300.0, "taxes_id": [Command.clear()]}
        )
        plan = env["fusion.repair.service.plan"].create(
            {
                "name": "H3 Care Plan",
                "product_id": plan_product.id,
                "visits_per_term": 2,
                "term_months": 12,
                "category_ids": [Command.set(self.category.ids)],
            }
        )
        plan_order = env["sale.order"].create(
            {"partner_id": self.client.id, "order_line": [Command.create({"product_id": plan_product.id})]}
        )
        plan_order.action_confirm()
        Subscription = env["fusion.repair.service.plan.subscription"]
        sold_plan = Subscription.search([("sale_line_id", "in", plan_order.order_line.ids)])
        self.assertEqual(len(sold_plan), 1)
        ending = Subscription.create(
            {
                "partner_id": self.client.id,
                "plan_id": plan.id,
                "date_start": "2026-01-20",
                "date_end": "2027-01-20",
                "visits_included": 2,
            }
        )

        after = self._figures()
        expected = {
            "units_sold": (2, sold_contracts.x_fc_source_sale_line_id),
            "units_under_contract": (
                7,
                sold_contracts | on_time | late | not_done | out_of_service | overdue,
            ),
            "units_sold_covered": (2, sold_contracts),
            "reminders_30": (2, on_time | not_done),
            "reminders_30_booked": (1, on_time),
            "reminders_7": (2, late | not_done),
            "reminders_7_booked": (2, late | not_done),
            "bookings_online": (1, visit_on_time),
            "bookings_office": (2, visit_late | visit_not_done),
            "visits_on_time": (1, visit_on_time),
            "visits_late": (1, visit_late),
            "visits_not_done": (1, visit_not_done),
            "out_of_service": (1, out_of_service),
            "overdue": (1, overdue),
            "active_plans": (2, sold_plan | ending),
            "renewals_due": (1, ending),
            "visit_revenue": (298.0, visit_orders),
            "plan_revenue": (300.0, plan_order.order_line),
        }
        for key, (delta, records) in expected.items():
            with self.subTest(figure=key):
                self.assertAlmostEqual(after[key]["value"] - before.get(key, {"value": 0})["value"], delta)
                new = self._records(after[key]) - before_records.get(key, records.browse())
                if key.startswith("reminders_"):
                    new = new.contract_id
                self.assertEqual(new, records, "the figure opens exactly these records")

        # the analysis report adds up to the same totals
        report_after = self._report_totals()
        report_delta = {measure: report_after[measure] - report_before[measure] for measure in REPORT_MEASURES}
        self.assertEqual(
            report_delta,
            {
                "visit_count": 3,
                "on_time_count": 1,
                "late_count": 1,
                "not_done_count": 1,
                "reminder_count": 4,
                "reminder_booked_count": 3,
                "visit_revenue": 298.0,
                "plan_revenue": 300.0,
            },
        )

    def test_the_last_reminder_before_a_booking_gets_it_and_a_rebooking_credits_nothing_more(self):
        contract = self._contract("SL-H3-OV-CREDIT", "2027-01-25")
        contract._send_due_reminder(30)
        contract._send_due_reminder(7)
        Log = self.env["fusion.repair.maintenance.reminder.log"]
        logs = Log.search([("contract_id", "=", contract.id)], order="band desc")
        self.assertEqual(logs.mapped("band"), [30, 7])
        self.assertEqual(logs.mapped("due_date"), [fields.Date.to_date("2027-01-25")] * 2)
        task = self._book(contract, toronto(2027, 1, 12, 10), notify=False)
        self.assertEqual(logs.mapped("booked"), [False, True])
        self.assertEqual(logs[1].task_id, task)
        self.assertEqual(logs[1].booked_by, "office")
        contract.cancel_booking(notify=False)
        self._book(contract, toronto(2027, 1, 12, 12), by="client", notify=False)
        self.assertEqual(logs.mapped("booked"), [False, True], "the 30-day reminder is not credited afterwards")
        self.assertEqual(logs[1].booked_by, "office")

    def test_a_reminder_that_could_not_be_emailed_is_not_counted(self):
        before = self._figures().get("reminders_30", {"value": 0})["value"]
        self.client.email = False
        contract = self._contract("SL-H3-OV-NOMAIL", "2027-01-25")
        self.assertFalse(contract._send_due_reminder(30))
        self.assertEqual(contract.reminder_band_sent, 30, "the band is stamped all the same")
        self.assertEqual(self._figures().get("reminders_30", {"value": 0})["value"], before)

    def test_a_stock_user_without_sales_sees_no_sales_figures(self):
        user = office_user(self.env, "stock-only")
        user.group_ids = [Command.set([self.env.ref("stock.group_stock_user").id])]
        with freeze_time(AFTER_VISITS):
            data = self.env[OVERVIEW].with_user(user).get_overview_figures()
        self.assertIn("units_under_contract", data["figures"])
        for key in ("units_sold", "visit_revenue", "plan_revenue"):
            self.assertNotIn(key, data["figures"])
        shown = {card["key"] for section in data["sections"] for card in section["cards"]}
        self.assertNotIn("visit_revenue", shown)
        self.assertEqual(data["months"], [], "no revenue chart either")
        self.assertFalse(data["can_analyse"])


@tagged("post_install", "-at_install")
class TestReminderLogFromTheDailyJob(FusionRepairsCommon, MailCase):
    """The reminders counted are the ones the daily job really emailed, with their band."""

    def test_the_daily_job_logs_each_reminder_it_emails(self):
        self.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "30,7,1")
        with freeze_time("2026-03-02 12:00:00"):
            in_20_days = self._make_contract(next_due_date=fields.Date.to_date("2026-03-22"))
            in_5_days = self._make_contract(next_due_date=fields.Date.to_date("2026-03-07"))
            no_email = self._make_contract(
                partner=self.env["res.partner"].create({"name": "H3 Overview No Email"}),
                next_due_date=fields.Date.to_date("2026-03-07"),
            )
            with self.mock_mail_gateway(), self.enter_registry_test_mode():
                self.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders").method_direct_trigger()
        self.env.invalidate_all()
        logs = self.env["fusion.repair.maintenance.reminder.log"].search(
            [("contract_id", "in", (in_20_days | in_5_days | no_email).ids)]
        )
        self.assertEqual(
            sorted((log.contract_id.id, log.band, str(log.due_date)) for log in logs),
            sorted([(in_20_days.id, 30, "2026-03-22"), (in_5_days.id, 7, "2026-03-07")]),
        )
        self.assertEqual(no_email.reminder_band_sent, 7, "handled, but not emailed: not counted")
        self.assertFalse(logs.filtered("booked"))


@tagged("post_install", "-at_install")
class TestMaintenanceOverviewAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.office = office_user(env, "rpc-office")
        cls.portal = env["res.users"].create(
            {
                "name": "H3 Overview Portal",
                "login": "portal@h3-overview.example.com",
                "password": PASSWORD,
                "group_ids": [Command.set([env.ref("base.group_portal").id])],
            }
        )
        cls.technician = env["res.users"].create(
            {
                "name": "H3 Overview Technician",
                "login": "tech@h3-overview.example.com",
                "password": PASSWORD,
                "group_ids": [Command.set([env.ref("fusion_tasks.group_fusion_technician").id])],
                "x_fc_is_technician": True,
            }
        )

    def _rpc(self, login):
        self.authenticate(login, PASSWORD)
        response = self.url_open(
            f"/web/dataset/call_kw/{OVERVIEW}.get_overview_figures",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": OVERVIEW, "method": "get_overview_figures", "args": [], "kwargs": {}},
            },
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        return response.json()

    def test_portal_users_and_technicians_are_refused(self):
        for user in (self.portal, self.technician):
            with self.subTest(user=user.login):
                answer = self._rpc(user.login)
                self.assertIn("error", answer, f"not refused: {str(answer.get('result'))[:200]}")
                self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR)

    def test_office_staff_get_the_figures(self):
        answer = self._rpc(self.office.login)
        self.assertNotIn("error", answer, answer.get("error"))
        figures = answer["result"]["figures"]
        active = self.env["fusion.repair.maintenance.contract"].search_count([("state", "=", "active")])
        self.assertEqual(figures["units_under_contract"]["value"], active)


@tagged("post_install", "-at_install")
class TestMaintenanceOverviewTour(HttpCase):
    def test_office_opens_the_overview_and_a_figure(self):
        partner = self.env["res.partner"].create({"name": "H3 Overview Tour Client"})
        product = self.env["product.product"].create({"name": "H3 Overview Tour Lift", "type": "consu"})
        self.env["fusion.repair.maintenance.contract"].create(
            {
                "partner_id": partner.id,
                "product_id": product.id,
                "next_due_date": fields.Date.today() - timedelta(days=3),
            }
        )
        self.start_tour(
            "/odoo/action-fusion_repairs.fusion_repair_maintenance_overview_action",
            "fusion_repairs_maintenance_overview",
            login="admin",
        )
