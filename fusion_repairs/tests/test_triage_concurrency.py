"""Two requests of one link at the same moment (a double click that reaches two server
threads): the second waits for the first, is replayed the way Odoo replays a request after a
serialization failure, and finds the first one: one activity, one repair order.

Real, separate transactions are needed (a TransactionCase shares one cursor), so the fixtures
are committed in the test database and removed afterwards.
"""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

LOCK_WAIT_TIMEOUT = 30


@tagged("post_install", "-at_install")
class TestTriageConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create(
                {"name": "H3 Concurrent Triage Client", "email": "concurrent.triage@h3.example.com"}
            )
            product = env["product.product"].create({"name": "H3 Concurrent Triage Lift", "type": "consu"})
            contract = env["fusion.repair.maintenance.contract"].create(
                {"partner_id": partner.id, "product_id": product.id, "next_due_date": "2030-01-15"}
            )
            self.ids = {"partner": partner.id, "product": product.id, "contract": contract.id}
        self.addCleanup(self._remove_fixtures)

    def _remove_fixtures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            contract = env["fusion.repair.maintenance.contract"].browse(self.ids["contract"])
            env["mail.activity"].with_context(active_test=False).search(
                [("res_model", "=", contract._name), ("res_id", "=", contract.id)]
            ).unlink()
            env["repair.order"].search([("x_fc_maintenance_contract_id", "=", contract.id)]).unlink()
            env["mail.message"].search([("model", "=", contract._name), ("res_id", "=", contract.id)]).unlink()
            contract.unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _public_contract(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return (
            env["fusion.repair.maintenance.contract"]
            .browse(self.ids["contract"])
            .with_user(env.ref("base.public_user"))
        )

    def _waiting_on_a_lock(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cr.fetchone()[0]

    def test_two_simultaneous_reports_make_one(self):
        results = {}
        first_done = threading.Event()
        first_may_commit = threading.Event()

        def first():
            with self.registry.cursor() as cr:
                contract = self._public_contract(cr)
                # not through ``retrying``: it would commit at once; this one commits when told
                results["first"] = contract._triage_report_unsafe("It stopped")["status"]
                first_done.set()
                first_may_commit.wait(LOCK_WAIT_TIMEOUT)
                # committed when the cursor closes

        def second():
            with self.registry.cursor() as cr:
                contract = self._public_contract(cr)
                cr.execute("SELECT 1")  # its snapshot starts before the first one commits
                results["second"] = retrying(lambda: contract._triage_report_unsafe("It stopped"), contract.env)[
                    "status"
                ]

        thread_1 = threading.Thread(target=first)
        thread_1.start()
        self.assertTrue(first_done.wait(LOCK_WAIT_TIMEOUT), "the first request is made")
        thread_2 = threading.Thread(target=second)
        thread_2.start()
        deadline = time.monotonic() + LOCK_WAIT_TIMEOUT
        while not self._waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(self._waiting_on_a_lock(), "the second request waits for the first one")
        first_may_commit.set()
        thread_1.join(LOCK_WAIT_TIMEOUT)
        thread_2.join(LOCK_WAIT_TIMEOUT)
        self.assertEqual(results, {"first": "created", "second": "duplicate"})

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(
                env["repair.order"].search_count([("x_fc_maintenance_contract_id", "=", self.ids["contract"])]), 1
            )
            self.assertEqual(
                env["fusion.repair.triage.request"].search_count([("contract_id", "=", self.ids["contract"])]), 1
            )
            self.assertEqual(
                env["mail.activity"].search_count(
                    [("res_model", "=", "fusion.repair.maintenance.contract"), ("res_id", "=", self.ids["contract"])]
                ),
                1,
            )
