"""What the office reads on the contract and the product: reminders in words, one serial
number, short list headers, the category policy behind a 0 override."""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import tagged

from .common import FusionRepairsCommon


@tagged("post_install", "-at_install")
class TestContractLabels(FusionRepairsCommon):
    def test_reminder_summary_in_words(self):
        contract = self._make_contract()
        self.assertEqual(contract.reminder_summary, "None yet this cycle", "not a bare 0")
        contract.write({"reminder_band_sent": 7, "reminder_last_sent": "2026-11-14 15:00:00"})
        self.assertEqual(contract.reminder_summary, "Last reminder: 7 days before due, on Nov 14")
        contract.write({"reminder_band_sent": 1, "reminder_last_sent": "2026-11-20 15:00:00"})
        self.assertEqual(contract.reminder_summary, "Last reminder: 1 day before due, on Nov 20")
        contract._roll_forward(fields.Date.today())
        self.assertEqual(contract.reminder_summary, "None yet this cycle", "a new cycle starts with none")

    def test_form_shows_one_serial_number(self):
        arch = self.Contract.get_views([(False, "form")])["views"]["form"]["arch"]
        form = etree.fromstring(arch)
        lot = form.xpath("//field[@name='lot_id']")[0]
        text = form.xpath("//field[@name='x_fc_device_serial']")[0]
        self.assertEqual(lot.get("string"), "Serial Number")
        self.assertEqual(text.get("string"), "Serial Number")
        self.assertEqual(lot.get("invisible"), "not lot_id", "the lot only when there is one")
        self.assertEqual(text.get("invisible"), "lot_id", "the text serial otherwise")
        self.assertFalse(form.xpath("//field[@name='reminder_band_sent']"), "no bare band number")
        self.assertTrue(form.xpath("//field[@name='reminder_summary']"))

    def test_list_headers_are_short(self):
        for model in ("fusion.repair.product.category", "fusion.repair.maintenance.contract"):
            arch = self.env[model].get_views([(False, "list")])["views"]["list"]["arch"]
            fields_info = self.env[model].fields_get()
            for node in etree.fromstring(arch).xpath("/list/field"):
                if node.get("column_invisible") or node.get("widget") in ("handle", "list_activity"):
                    continue
                label = node.get("string") or fields_info[node.get("name")]["string"]
                self.assertLessEqual(len(label), 16, f"{model}: header {label!r} is cut off")

    def test_product_shows_the_category_policy_behind_zero(self):
        product = self._make_product()
        template = product.product_tmpl_id
        self.assertEqual(template.x_fc_maintenance_interval_months, 0)
        hint = template.x_fc_maintenance_policy_hint
        self.assertIn("Every 6 months (category)", hint)
        self.assertIn("149.00", hint)
        template.x_fc_maintenance_interval_months = 3
        self.assertIn("Every 3 months (this product)", template.x_fc_maintenance_policy_hint)
        self.category.x_fc_maintenance_enabled = False
        other = self._make_product().product_tmpl_id
        self.assertIn("No maintenance", other.x_fc_maintenance_policy_hint)

    def test_overdue_filter_help_is_generic(self):
        action = self.env.ref("fusion_repairs.fusion_repair_maintenance_contract_action")
        self.assertNotIn("yet", str(action.help))
        self.assertTrue(self._make_contract(next_due_date=fields.Date.today() - timedelta(days=5)).due_status)
