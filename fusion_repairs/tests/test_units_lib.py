"""The ORM-free unit count alone: how many contracts a quantity stands for."""

from odoo.addons.fusion_repairs.lib.units import whole_units
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestWholeUnits(BaseCase):
    def test_a_started_unit_counts(self):
        self.assertEqual(whole_units(1.0), 1)
        self.assertEqual(whole_units(3.0), 3)
        self.assertEqual(whole_units(2.5), 3)
        self.assertEqual(whole_units(0.2), 1)

    def test_conversion_noise_makes_no_unit(self):
        # 1 dozen converted to units, or 12 units in dozens and back, is not quite exact
        self.assertEqual(whole_units(12.000000000000002), 12)
        self.assertEqual(whole_units(0.9999999999999999), 1)
        self.assertEqual(whole_units(1.00001), 2, "a real fraction of a unit still counts")

    def test_nothing_is_no_unit(self):
        for qty in (0, 0.0, None, False, -1.0, -0.5):
            self.assertEqual(whole_units(qty), 0, qty)
