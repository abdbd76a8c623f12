"""Enrolling the installed base (SPEC flow 6): the dry run says what would happen to each unit
of past sales, the execute creates the contracts once, and units sold before Odoo come in
through the standard Import."""

from collections import Counter
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import unique
from .test_delivery import DeliveryCommon

# Friday 8 January 2027: the next working day is Monday the 11th
NOW = "2027-01-08 15:00:00"
TODAY = date(2027, 1, 8)
WIZARD = "fusion.repair.maintenance.backfill.wizard"


class BackfillCommon(DeliveryCommon):
    """Past sales whose units were never enrolled (sold before the maintenance programme: their
    contracts are removed after confirmation), and the wizard as the office runs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zone = cls.env["fusion.service.zone"].create({"name": unique("Kingston"), "postal_prefixes": "K7L"})
        cls.client = cls.env["res.partner"].create(
            {"name": unique("Dorothy Backfill"), "email": "dorothy@example.com", "zip": "K7L 3N6"}
        )

    def _past_sale(self, product, qty=1, sold="2026-09-01 15:00:00", commitment=False, partner=None, lines=None):
        with freeze_time(sold):
            order = self.env["sale.order"].create(
                {
                    "partner_id": (partner or self.client).id,
                    "commitment_date": commitment,
                    "order_line": lines or [Command.create({"product_id": product.id, "product_uom_qty": qty})],
                }
            )
            order.action_confirm()
        # sold before the maintenance programme: no contract
        self._contracts_for(order).sudo().unlink()
        return order

    def _deliver_on(self, order, when, **kwargs):
        with freeze_time(when):
            return self._deliver(order, **kwargs)

    def _delivered_outside_odoo(self, order):
        order.picking_ids.action_cancel()
        return order

    def _dry_run(self, partners=None, **values):
        with freeze_time(NOW):
            wizard = (
                self.env[WIZARD]
                .with_user(self.office_user)
                .create({"partner_ids": [Command.set((partners or self.client).ids)], **values})
            )
            wizard.action_dry_run()
        return wizard

    def _execute(self, wizard):
        with freeze_time(NOW):
            wizard.action_execute()
        return wizard

    @staticmethod
    def _rows(wizard, order):
        return wizard.line_ids.filtered(lambda row: row.sale_order_id == order)

    def assertSkipped(self, rows, reason, count=1):
        self.assertEqual(len(rows), count, rows.mapped("reason"))
        self.assertEqual(set(rows.mapped("action")), {"skip"})
        self.assertEqual(set(rows.mapped("reason")), {reason})
        self.assertFalse(any(rows.mapped("due_date")), "a skipped unit gets no due date")


@tagged("post_install", "-at_install")
class TestBackfillDryRun(BackfillCommon):
    def test_delivered_unit_is_due_one_interval_after_its_delivery(self):
        order = self._past_sale(self._make_product(), commitment="2026-09-20 12:00:00")
        self._deliver_on(order, "2026-09-15 15:00:00")
        row = self._rows(self._dry_run(), order)
        self.assertEqual(row.action, "create")
        self.assertEqual(row.anchor_source, "delivery", "the real delivery beats the promised date")
        self.assertEqual(row.anchor_date, date(2026, 9, 15))
        self.assertEqual(row.due_date, date(2027, 3, 15), "delivery + 6 months")
        self.assertFalse(row.is_staggered)
        self.assertFalse(row.warning)

    def test_without_delivery_in_odoo_the_promised_date_then_the_order_date_count(self):
        promised = self._delivered_outside_odoo(
            self._past_sale(self._make_product(), sold="2026-09-01 15:00:00", commitment="2026-09-20 12:00:00")
        )
        ordered = self._delivered_outside_odoo(self._past_sale(self._make_product(), sold="2026-08-03 15:00:00"))
        wizard = self._dry_run()
        row = self._rows(wizard, promised)
        self.assertEqual((row.action, row.anchor_source, row.anchor_date), ("create", "commitment", date(2026, 9, 20)))
        self.assertEqual(row.due_date, date(2027, 3, 20))
        row = self._rows(wizard, ordered)
        self.assertEqual((row.action, row.anchor_source, row.anchor_date), ("create", "order", date(2026, 8, 3)))
        self.assertEqual(row.due_date, date(2027, 2, 3))

    def test_skip_not_delivered_yet(self):
        order = self._past_sale(self._make_product(), qty=3)
        self._deliver_on(order, "2026-09-10 15:00:00", qty=1, backorder=True)
        rows = self._rows(self._dry_run(), order)
        self.assertEqual(Counter(rows.mapped("action")), {"create": 1, "skip": 2})
        self.assertSkipped(rows.filtered(lambda r: r.action == "skip"), "not_delivered", count=2)

    def test_skip_cancelled_order(self):
        order = self._past_sale(self._make_product())
        order.action_cancel()
        self.assertSkipped(self._rows(self._dry_run(), order), "cancelled")

    def test_skip_services_and_accessories_as_not_units(self):
        service = self.env["product.product"].create({"name": unique("Installation"), "type": "service"})
        accessory = self.env["product.product"].create({"name": unique("Stair Lift Remote"), "type": "consu"})
        lines = [
            Command.create({"product_id": service.id, "product_uom_qty": 1}),
            Command.create({"product_id": accessory.id, "product_uom_qty": 2}),
        ]
        order = self._delivered_outside_odoo(self._past_sale(None, lines=lines))
        self.assertSkipped(self._rows(self._dry_run(), order), "not_unit", count=2)

    def test_skip_product_not_maintainable(self):
        bath = self.Category.create({"name": "Bath (test)", "code": unique("bath"), "x_fc_maintenance_enabled": False})
        order = self._delivered_outside_odoo(
            self._past_sale(self._make_product(x_fc_repair_category_id=bath.id), qty=2)
        )
        self.assertSkipped(self._rows(self._dry_run(), order), "not_maintainable", count=1)

    def test_skip_sale_line_already_covered(self):
        with freeze_time("2026-09-01 15:00:00"):
            order = self._confirm_so(self._make_product(), qty=2, partner=self.client)
        self.assertEqual(len(self._contracts_for(order)), 2, "enrolled on confirmation")
        self.assertSkipped(self._rows(self._dry_run(), order), "line_covered", count=2)

    def test_skip_serial_already_covered(self):
        product, lots = self._serialized_product_in_stock(2)
        order = self._past_sale(product, qty=2)
        self._deliver_on(order, "2026-09-15 15:00:00")
        # the first unit was entered by hand for this client already
        self._make_contract(partner=self.client, product_id=product.id, x_fc_device_serial=lots[0].name)
        rows = self._rows(self._dry_run(), order)
        self.assertSkipped(rows.filtered(lambda r: r.action == "skip"), "serial_covered")
        self.assertEqual(rows.filtered(lambda r: r.action == "skip").serial, lots[0].name)
        created = rows.filtered(lambda r: r.action == "create")
        self.assertEqual((created.serial, created.lot_id), (lots[1].name, lots[1]), "the delivered serial")

    def test_warning_when_the_client_has_no_email_or_no_service_zone(self):
        far_client = self.env["res.partner"].create({"name": unique("Nunavut Client"), "zip": "X0A 0H0"})
        far = self._delivered_outside_odoo(self._past_sale(self._make_product(), partner=far_client))
        near = self._delivered_outside_odoo(self._past_sale(self._make_product()))
        wizard = self._dry_run(partners=far_client | self.client)
        row = self._rows(wizard, far)
        self.assertEqual(row.action, "create", "warned, but enrolled all the same")
        self.assertTrue(row.has_warning)
        self.assertIn("No email", row.warning)
        self.assertIn("no service zone", row.warning)
        self.assertFalse(self._rows(wizard, near).warning)
        self.assertEqual(wizard.warning_count, 1)

    def test_overdue_units_are_spread_oldest_first_under_the_daily_cap(self):
        product = self._make_product()
        orders = []
        for delivered in ("2024-01-10", "2024-06-10", "2025-01-10"):
            order = self._past_sale(product, qty=2, sold=f"{delivered} 09:00:00")
            self._deliver_on(order, f"{delivered} 15:00:00")
            orders.append(order)
        wizard = self._dry_run(stagger_weeks=1, daily_cap=2)
        rows = wizard.line_ids.filtered(lambda r: r.action == "create")
        self.assertEqual(len(rows), 6)
        self.assertTrue(all(rows.mapped("is_staggered")))
        self.assertTrue(all(day > TODAY and day.weekday() < 5 for day in rows.mapped("due_date")))
        dates = [max(self._rows(wizard, order).mapped("due_date")) for order in orders]
        self.assertEqual(dates, sorted(dates), "the oldest units come first")
        self.assertEqual(min(rows.mapped("due_date")), date(2027, 1, 11), "the next working day")
        # with the contracts already due on a day, never more than 2 due that day
        self.env.flush_all()
        for day, count in Counter(rows.mapped("due_date")).items():
            already = self.Contract.search_count([("state", "=", "active"), ("next_due_date", "=", day)])
            self.assertLessEqual(count + already, 2, day)

    def test_bad_filters_are_refused(self):
        wizard = (
            self.env[WIZARD].with_user(self.office_user).create({"date_from": "2026-05-01", "date_to": "2026-04-01"})
        )
        with self.assertRaisesRegex(UserError, "period ends before it starts"):
            wizard.action_dry_run()
        self.assertFalse(wizard.line_ids)
        with self.assertRaisesRegex(UserError, "Run the dry run first"):
            wizard.action_execute()

    def test_period_category_and_product_filters(self):
        product = self._make_product()
        other_category = self.Category.create(
            {"name": "Bed (test)", "code": unique("bed"), "x_fc_maintenance_enabled": True}
        )
        bed = self._make_product(x_fc_repair_category_id=other_category.id)
        spring = self._delivered_outside_odoo(self._past_sale(product, sold="2026-04-10 15:00:00"))
        autumn = self._delivered_outside_odoo(self._past_sale(bed, sold="2026-10-10 15:00:00"))
        wizard = self._dry_run(date_from="2026-04-01", date_to="2026-04-30")
        self.assertEqual(wizard.line_ids.sale_order_id, spring)
        wizard = self._dry_run(category_ids=[Command.set(other_category.ids)])
        self.assertEqual(wizard.line_ids.sale_order_id, autumn)
        wizard = self._dry_run(product_ids=[Command.set(product.ids)])
        self.assertEqual(wizard.line_ids.sale_order_id, spring)

    def test_dry_run_queries_do_not_grow_with_the_sales(self):
        def queries_for(count):
            client = self.env["res.partner"].create({"name": unique("Query Client"), "email": "q@example.com"})
            for index in range(count):
                order = self._past_sale(self._make_product(), partner=client, qty=1 + index % 2)
                if index % 2:
                    self._deliver_on(order, "2026-09-15 15:00:00")
                else:
                    self._delivered_outside_odoo(order)
            self.env.flush_all()
            self.env.invalidate_all()
            wizard = self.env[WIZARD].with_user(self.office_user).create({"partner_ids": [Command.set(client.ids)]})
            before = self.env.cr.sql_log_count
            with freeze_time(NOW):
                wizard.action_dry_run()
            self.env.flush_all()
            self.assertEqual(wizard.create_count, count + count // 2)
            return self.env.cr.sql_log_count - before

        queries_for(1)  # warm-up: caches (settings, zones) filled once
        small, large = queries_for(2), queries_for(8)
        self.assertEqual(large, small, "the same queries for 2 or 8 sales: nothing per line")


@tagged("post_install", "-at_install")
class TestBackfillExecute(BackfillCommon):
    def test_execute_creates_the_announced_contracts_then_a_rerun_creates_nothing(self):
        product = self._make_product()
        recent = self._past_sale(product, qty=2)
        self._deliver_on(recent, "2026-09-15 15:00:00")
        old = self._past_sale(product, sold="2024-02-01 15:00:00")
        self._deliver_on(old, "2024-02-05 15:00:00")
        wizard = self._dry_run()
        announced = {row.sale_order_id: row.due_date for row in wizard.line_ids}
        self._execute(wizard)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.created_count, 3)
        self.assertIn("3 maintenance contracts created", wizard.result_message)
        contracts = self._contracts_for(recent) | self._contracts_for(old)
        self.assertEqual(len(contracts), 3)
        self.assertEqual(set(contracts.mapped("x_fc_source")), {"backfill"})
        self.assertEqual(set(contracts.mapped("state")), {"active"})
        self.assertEqual(self._contracts_for(recent).mapped("next_due_date"), [date(2027, 3, 15)] * 2)
        self.assertEqual(self._contracts_for(recent).mapped("delivery_date"), [date(2026, 9, 15)] * 2)
        self.assertEqual(self._contracts_for(old).next_due_date, announced[old], "the date the dry run showed")
        self.assertGreater(self._contracts_for(old).next_due_date, TODAY, "an old unit is not due in the past")
        self.assertEqual(wizard.line_ids.contract_id, contracts)
        self.assertIn("Maintenance contracts created", recent.message_ids[:1].body)

        rerun = self._dry_run()
        self.assertSkipped(rerun.line_ids, "line_covered", count=3)
        self.assertEqual(rerun.create_count, 0)

    def test_a_unit_enrolled_between_the_dry_run_and_the_execute_is_left_out(self):
        order = self._delivered_outside_odoo(self._past_sale(self._make_product()))
        other = self._delivered_outside_odoo(self._past_sale(self._make_product()))
        wizard = self._dry_run()
        self.assertEqual(wizard.create_count, 2)
        # meanwhile the first order is cancelled and confirmed again: its unit is enrolled
        order.action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(len(self._contracts_for(order)), 1)
        self._execute(wizard)
        self.assertEqual(len(self._contracts_for(order)), 1, "not enrolled twice")
        self.assertEqual(self._contracts_for(order).x_fc_source, "sale")
        self.assertEqual(len(self._contracts_for(other)), 1)
        self.assertEqual(wizard.created_count, 1)
        self.assertIn("left out", wizard.result_message)

    def test_a_sale_confirmed_after_the_backfill_is_not_enrolled_twice(self):
        order = self._delivered_outside_odoo(self._past_sale(self._make_product(), qty=2))
        self._execute(self._dry_run())
        self.assertEqual(len(self._contracts_for(order)), 2)
        order.action_cancel()
        order.action_draft()
        order.action_confirm()
        contracts = self._contracts_for(order)
        self.assertEqual(len(contracts), 2, "the backfilled units count as enrolled")
        self.assertEqual(set(contracts.mapped("x_fc_source")), {"backfill"})
        # a raised quantity enrols only the new unit
        order.order_line.product_uom_qty = 3
        self.assertEqual(len(self._contracts_for(order).filtered(lambda c: c.state == "active")), 3)


@tagged("post_install", "-at_install")
class TestImportUnitsSoldBeforeOdoo(BackfillCommon):
    HEADER = ["Client", "Equipment", "Serial", "Delivered On"]
    FIELDS = ["partner_id", "product_id", "x_fc_device_serial", "delivery_date"]

    def _import(self, rows):
        lines = [",".join(self.HEADER)] + [",".join(row) for row in rows]
        importer = (
            self.env["base_import.import"]
            .with_user(self.office_user)
            .create(
                {
                    "res_model": "fusion.repair.maintenance.contract",
                    "file": "\n".join(lines).encode(),
                    "file_name": "installed_base.csv",
                    "file_type": "text/csv",
                }
            )
        )
        options = {"has_headers": True, "quoting": '"', "separator": ",", "date_format": "%Y-%m-%d"}
        return importer.execute_import(self.FIELDS, self.HEADER, options)

    def _imported(self, partner):
        return self.Contract.search([("partner_id", "=", partner.id)])

    def test_import_counts_the_due_date_from_the_delivery(self):
        product = self._make_product()
        result = self._import([[self.client.name, product.name, "SL-OLD-0001", "2026-03-15"]])
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        contract = self._imported(self.client)
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.delivery_date, date(2026, 3, 15))
        self.assertEqual(contract.next_due_date, date(2026, 9, 15), "delivered on + 6 months")
        self.assertEqual(contract.x_fc_source, "backfill")
        self.assertEqual(contract.x_fc_maintenance_fee, 149.0, "the category's policy")

    def test_import_refuses_a_serial_under_a_live_contract_and_creates_nothing(self):
        product = self._make_product()
        other_client = self.env["res.partner"].create({"name": unique("Previous Owner")})
        self._make_contract(partner=other_client, product_id=product.id, x_fc_device_serial="SL-DUP-7")
        result = self._import(
            [
                [self.client.name, product.name, "SL-NEW-8", "2025-05-01"],
                [self.client.name, product.name, "sl-dup-7", "2025-05-01"],
            ]
        )
        errors = [m["message"] for m in result["messages"] if m["type"] == "error"]
        self.assertTrue(errors)
        self.assertIn("already has a live maintenance contract", " ".join(errors))
        self.assertIn("Previous Owner", " ".join(errors))
        self.assertFalse(self._imported(self.client), "nothing is half-imported")

    def test_import_accepts_the_serial_of_a_cancelled_contract_and_refuses_a_repeated_row(self):
        product = self._make_product()
        old = self._make_contract(partner=self.client, product_id=product.id, x_fc_device_serial="SL-GONE-1")
        old.action_cancel()
        client = self.env["res.partner"].create({"name": unique("New Owner")})
        result = self._import([[client.name, product.name, "SL-GONE-1", "2025-05-01"]])
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(len(self._imported(client)), 1)
        twice = self.env["res.partner"].create({"name": unique("Twice Client")})
        result = self._import([[twice.name, product.name, "SL-TWICE", "2025-05-01"]] * 2)
        self.assertTrue([m for m in result["messages"] if m["type"] == "error"])
        self.assertFalse(self._imported(twice))


ACCESS_ERROR = "odoo.exceptions.AccessError"
PASSWORD = "Backfill-pass-2027"


@tagged("post_install", "-at_install")
class TestBackfillAccessOverRpc(HttpCase):
    """Portal users and technicians cannot run the office's backfill over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        category = env["fusion.repair.product.category"].create(
            {
                "name": "Backfill Rpc Lift",
                "code": unique("bf-rpc"),
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": 6,
            }
        )
        product = env["product.product"].create(
            {"name": unique("Backfill Rpc Lift"), "type": "consu", "x_fc_repair_category_id": category.id}
        )
        cls.client = env["res.partner"].create({"name": unique("Backfill Rpc Client"), "email": "rpc@example.com"})
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.client.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()
        cls.order.x_fc_maintenance_contract_ids.unlink()
        cls.order.picking_ids.action_cancel()
        cls.wizard = env[WIZARD].create({"partner_ids": [Command.set(cls.client.ids)]})
        cls.wizard.action_dry_run()
        cls.portal_user = env["res.users"].create(
            {
                "name": "Backfill Portal",
                "login": unique("bf-portal"),
                "password": PASSWORD,
                "partner_id": cls.client.id,
                "group_ids": [Command.set([env.ref("base.group_portal").id])],
            }
        )
        cls.technician = env["res.users"].create(
            {
                "name": "Backfill Technician",
                "login": unique("bf-tech"),
                "password": PASSWORD,
                "group_ids": [Command.set([env.ref("fusion_tasks.group_fusion_technician").id])],
                "x_fc_is_technician": True,
            }
        )

    def _rpc(self, method, args):
        response = self.url_open(
            f"/web/dataset/call_kw/{WIZARD}.{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": WIZARD, "method": method, "args": args, "kwargs": {}},
            },
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        return response.json()

    def _assert_refused(self, login):
        self.assertEqual(self.wizard.create_count, 1, "the office's dry run announces one unit")
        self.authenticate(login, PASSWORD)
        for method, args in (
            ("action_execute", [[self.wizard.id]]),
            ("action_dry_run", [[self.wizard.id]]),
            ("create", [{"partner_ids": [Command.set(self.client.ids)]}]),
        ):
            answer = self._rpc(method, args)
            self.assertIn("error", answer, f"{method} not refused: {answer.get('result')!r}")
            self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR, answer["error"]["data"]["message"])
        self.env.invalidate_all()
        self.assertFalse(self.order.x_fc_maintenance_contract_ids, "nothing enrolled")
        self.assertEqual(self.wizard.state, "dry_run")

    def test_portal_user_cannot_enrol_past_sales(self):
        self._assert_refused(self.portal_user.login)

    def test_technician_cannot_enrol_past_sales(self):
        self._assert_refused(self.technician.login)
