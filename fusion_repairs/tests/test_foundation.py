"""Plan 1, Tasks 1-4: policy on the category, product override, contract fields,
contracts spawned on sale confirmation; plus the contract's own behaviour
(sequence, booking link, roll-forward, pause / resume / cancel)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import FusionRepairsCommon, unique


@tagged("post_install", "-at_install")
class TestMaintenanceFoundation(FusionRepairsCommon):
    # ── Task 1: maintenance policy on the equipment category ─────────────

    def test_category_policy_fields_exist(self):
        self.assertTrue(self.category.x_fc_maintenance_enabled)
        self.assertEqual(self.category.x_fc_maintenance_interval_months, 6)
        self.assertEqual(self.category.x_fc_maintenance_fee, 149.0)
        self.assertEqual(self.category.currency_id, self.env.company.currency_id)
        self.assertEqual(self.category.x_fc_maintenance_skill_id, self.skill)
        self.assertEqual(self.category.x_fc_visit_duration_hours, 1.5)

    def test_category_defaults(self):
        category = self.Category.create({"name": "Walker", "code": unique("walker")})
        self.assertFalse(category.x_fc_maintenance_enabled)
        self.assertEqual(category.x_fc_maintenance_interval_months, 6)
        self.assertEqual(category.x_fc_visit_duration_hours, 1.5)

    def test_category_code_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Category.create({"name": "Another Stair Lift", "code": self.category.code})
        self.assertEqual(self.Category.search_count([("code", "=", self.category.code)]), 1)

    def test_category_product_count_and_button(self):
        products = self._make_product() | self._make_product()
        self.assertEqual(self.category.product_count, 2)
        action = self.category.action_view_products()
        self.assertEqual(
            self.env["product.template"].search(action["domain"]),
            products.product_tmpl_id,
        )

    # ── Task 2: per-product override ─────────────────────────────────────

    def test_product_fee_override_field_exists(self):
        tmpl = self.env["product.template"].create(
            {
                "name": "Handicare Freecurve Stairlift",
                "x_fc_repair_category_id": self.category.id,
                "x_fc_maintenance_fee": 199.0,
            }
        )
        self.assertEqual(tmpl.x_fc_maintenance_fee, 199.0)
        self.assertEqual(tmpl.x_fc_maintenance_interval_months, 0, "0 means: use the category")

    # ── Task 3: contract fields ──────────────────────────────────────────

    def test_contract_extension_fields_exist(self):
        contract = self.Contract.create(
            {
                "partner_id": self.partner.id,
                "product_id": self.env["product.product"].create({"name": "Unit"}).id,
                "next_due_date": "2026-12-01",
                "x_fc_source": "sale",
                "x_fc_device_serial": "SN-123",
                "x_fc_maintenance_fee": 149.0,
            }
        )
        self.assertEqual(contract.x_fc_source, "sale")
        self.assertEqual(contract.x_fc_device_serial, "SN-123")
        self.assertEqual(contract.serial_display, "SN-123")
        self.assertEqual(contract.x_fc_maintenance_fee, 149.0)
        self.assertEqual(contract.state, "active")

    def test_contract_reference_and_booking_link(self):
        first, second = self._make_contract(), self._make_contract()
        self.assertTrue(first.name.startswith("MC/"))
        self.assertNotEqual(first.name, second.name)
        # at least 128 bits of randomness, URL safe, one per contract
        self.assertGreaterEqual(len(first.booking_token), 43)
        self.assertRegex(first.booking_token, r"^[A-Za-z0-9_-]+$")
        self.assertNotEqual(first.booking_token, second.booking_token)
        base_url = first.get_base_url()
        self.assertEqual(first.booking_url, f"{base_url}/repairs/maintenance/book/{first.booking_token}")

    def test_booking_token_is_unique(self):
        first, second = self._make_contract(), self._make_contract()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            second.booking_token = first.booking_token
            second.flush_recordset()
        second.invalidate_recordset()
        self.assertNotEqual(second.booking_token, first.booking_token)

    def test_manual_contract_takes_product_policy(self):
        product = self._make_product()
        contract = self.Contract.create({"partner_id": self.partner.id, "product_id": product.id})
        self.assertEqual(contract.x_fc_policy_category_id, self.category)
        self.assertEqual(contract.interval_months, 6)
        self.assertEqual(contract.x_fc_maintenance_fee, 149.0)
        self.assertEqual(contract.x_fc_source, "manual")
        self.assertEqual(contract.next_due_date, fields.Date.context_today(contract) + relativedelta(months=6))

    def test_regenerate_booking_token(self):
        contract = self._make_contract()
        old_token, old_url = contract.booking_token, contract.booking_url
        contract._regenerate_booking_token()
        self.assertNotEqual(contract.booking_token, old_token)
        self.assertNotEqual(contract.booking_url, old_url)
        self.assertFalse(self.Contract.search([("booking_token", "=", old_token)]))

    def test_roll_forward(self):
        contract = self._make_contract(next_due_date=date(2026, 7, 10))
        contract.write({"reminder_band_sent": 7, "reminder_last_sent": fields.Datetime.now()})
        task = self._make_task(contract)
        old_token = contract.booking_token
        self.assertTrue(contract.is_booked)

        contract._roll_forward(date(2026, 7, 14))

        self.assertEqual(contract.last_service_date, date(2026, 7, 14))
        self.assertEqual(contract.next_due_date, date(2027, 1, 14), "counted from the service date")
        self.assertNotEqual(contract.booking_token, old_token)
        self.assertEqual(contract.reminder_band_sent, 0)
        self.assertFalse(contract.reminder_last_sent)
        self.assertFalse(contract.task_id)
        self.assertFalse(contract.is_booked)
        self.assertTrue(task.exists(), "the visit itself stays in the history")

    def test_is_booked_follows_the_task(self):
        contract = self._make_contract()
        task = self._make_task(contract)
        self.assertTrue(contract.is_booked)
        task.state = "cancelled"
        self.assertFalse(contract.is_booked)

    def test_smart_buttons_open_the_linked_records(self):
        contract = self._make_contract()
        task = self._make_task(contract)
        action = contract.action_view_task()
        self.assertEqual((action["res_model"], action["res_id"]), ("fusion.technician.task", task.id))

    def test_pause_resume_cancel(self):
        contract = self._make_contract()
        contract.action_pause()
        self.assertEqual(contract.state, "paused")
        contract.action_resume()
        self.assertEqual(contract.state, "active")
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")

    def test_cannot_cancel_a_booked_contract(self):
        contract = self._make_contract()
        self._make_task(contract)
        with self.assertRaises(UserError):
            contract.action_cancel()
        with self.assertRaises(UserError):
            contract.action_pause()
        self.assertEqual(contract.state, "active")

    def test_negative_interval_is_refused(self):
        contract = self._make_contract()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            contract.interval_months = 0
            contract.flush_recordset()
        contract.invalidate_recordset()
        self.assertEqual(contract.interval_months, 6)

    def test_due_status_colours(self):
        today = fields.Date.context_today(self.Contract)
        overdue = self._make_contract(next_due_date=today - timedelta(days=1))
        soon = self._make_contract(next_due_date=today + timedelta(days=30))
        later = self._make_contract(next_due_date=today + timedelta(days=31))
        paused = self._make_contract(next_due_date=today - timedelta(days=1))
        paused.action_pause()
        self.assertEqual(overdue.due_status, "overdue")
        self.assertEqual(soon.due_status, "due_soon")
        self.assertEqual(later.due_status, "later")
        self.assertFalse(paused.due_status, "no alarm colour for a paused contract")

    def test_search_filters(self):
        """The "Due in 30 Days", "Overdue", "Booked" and "Not Booked" filters of
        the contract search view find the right contracts."""
        today = fields.Date.context_today(self.Contract)
        overdue = self._make_contract(next_due_date=today - timedelta(days=3))
        soon = self._make_contract(next_due_date=today + timedelta(days=12))
        later = self._make_contract(next_due_date=today + timedelta(days=45))
        booked = self._make_contract(next_due_date=today + timedelta(days=20))
        self._make_task(booked)
        mine = overdue | soon | later | booked

        arch = self.Contract.get_views([(False, "search")])["views"]["search"]["arch"]
        filters = {node.get("name"): node.get("domain") for node in etree.fromstring(arch).iter("filter")}
        eval_context = {"context_today": lambda: today, "relativedelta": relativedelta, "uid": self.env.uid}

        def found(name):
            return self.Contract.search(safe_eval(filters[name], eval_context)) & mine

        self.assertEqual(found("due_30_days"), soon | booked)
        self.assertEqual(found("overdue"), overdue)
        self.assertEqual(found("booked"), booked)
        self.assertEqual(found("not_booked"), overdue | soon | later)

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"x_fc_reminder_bands": "1, 30,7", "x_fc_booking_horizon_days": 28}
        )
        settings.execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("fusion_repairs.reminder_bands"), "30,7,1")
        self.assertEqual(params.get_param("fusion_repairs.booking_horizon_days"), "28")
        self.assertEqual(self.Contract._get_reminder_bands(), (1, 7, 30))

    def test_settings_refuse_bad_bands(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("fusion_repairs.reminder_bands", "30,7,1")
        for bad in ("thirty", "30,0", ""):
            with self.subTest(bands=bad), self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({"x_fc_reminder_bands": bad}).execute()
            self.assertEqual(params.get_param("fusion_repairs.reminder_bands"), "30,7,1")
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"x_fc_booking_grid_minutes": 0}).execute()

    def test_access_rights(self):
        contract = self._make_contract()
        # office staff (sales / repair users) manage contracts and categories
        office_contract = self.Contract.with_user(self.office_user).create(
            {"partner_id": self.partner.id, "product_id": self._make_product().id}
        )
        office_contract.with_user(self.office_user).action_pause()
        self.assertEqual(office_contract.state, "paused")
        self.category.with_user(self.office_user).x_fc_maintenance_fee = 159.0
        # technicians only read them
        tech_contract = contract.with_user(self.technician)
        self.assertEqual(tech_contract.partner_id.name, self.partner.name)
        with self.assertRaises(AccessError):
            tech_contract.write({"next_due_date": "2030-01-01"})
        with self.assertRaises(AccessError):
            self.Contract.with_user(self.technician).create(
                {"partner_id": self.partner.id, "product_id": self._make_product().id}
            )
        self.assertNotEqual(str(contract.next_due_date), "2030-01-01")

    def test_contracts_of_another_company_are_hidden(self):
        other_company = self.env["res.company"].create({"name": unique("Other Dealer")})
        other = self._make_contract(company_id=other_company.id)
        visible = self.Contract.with_user(self.office_user).search([("id", "=", other.id)])
        self.assertFalse(visible)

    # ── Task 4: contracts spawned on sale confirmation ───────────────────

    def test_no_contract_when_category_not_maintainable(self):
        cat = self.Category.create({"name": "Cane", "code": unique("cane"), "x_fc_maintenance_enabled": False})
        so = self._confirm_so(self._make_product(x_fc_repair_category_id=cat.id))
        self.assertFalse(self._contracts_for(so))
        self.assertEqual(so.x_fc_maintenance_contract_count, 0)

    def test_contract_created_via_category_policy(self):
        so = self._confirm_so(self._make_product())
        contract = self._contracts_for(so)
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.partner_id, self.partner)
        self.assertEqual(contract.interval_months, 6)
        self.assertEqual(contract.x_fc_maintenance_fee, 149.0)
        self.assertEqual(contract.x_fc_source, "sale")
        self.assertEqual(contract.x_fc_policy_category_id, self.category)
        self.assertEqual(contract.x_fc_source_sale_line_id, so.order_line)
        self.assertEqual(contract.company_id, so.company_id)
        # anchor = commitment_date + 6 months
        self.assertEqual(str(contract.next_due_date), "2026-07-10")
        self.assertEqual(so.x_fc_maintenance_contract_count, 1)
        action = so.action_view_maintenance_contracts()
        self.assertEqual(action["res_id"], contract.id)

    def test_product_override_beats_category(self):
        product = self._make_product()
        product.product_tmpl_id.x_fc_maintenance_interval_months = 3
        product.product_tmpl_id.x_fc_maintenance_fee = 199.0
        so = self._confirm_so(product)
        contract = self._contracts_for(so)
        self.assertEqual(contract.interval_months, 3)
        self.assertEqual(contract.x_fc_maintenance_fee, 199.0)
        self.assertEqual(str(contract.next_due_date), "2026-04-10")

    def test_idempotent_on_reconfirm(self):
        so = self._confirm_so(self._make_product())
        so.order_line._fc_spawn_maintenance_contracts()  # call again
        self.assertEqual(len(self._contracts_for(so)), 1)
