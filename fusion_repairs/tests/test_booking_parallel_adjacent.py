"""Two clients of the one qualified technician confirm ADJACENT times at the same moment:
10:00 and 11:30 for a 1.5 h visit with a 30-minute travel buffer. Each time is free on its
own, but not both: the second visit would start with no time to drive there. Against a real
threaded Odoo server (the machinery of ``test_concurrency_booking``), in several rounds to
make the race likely: never both booked, and the technician's visits always keep the buffer.
"""

import contextlib
import itertools
import json
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import lxml.html
import requests

import odoo
from odoo.tests import tagged

from . import test_concurrency_booking as concurrency
from .common import BOOKING_ROUTE

ROUNDS = 5
VISIT = timedelta(hours=1, minutes=30)
BUFFER = timedelta(minutes=30)
SLOT_FORMAT = "%Y-%m-%d %H:%M:%S"

# Commits one technician and two clients per round, and picks for each round a local day on
# which both A (10:00 if possible) and A + 1.5 h are free: each alone could be booked.
FIXTURES_SCRIPT = """
import json
from datetime import timedelta
import pytz
from odoo import fields
from odoo.addons.fusion_repairs.tests.common import BookingFixturesMixin

class Fixtures(BookingFixturesMixin):
    pass

Fixtures.env = env(context=dict(env.context, tracking_disable=True))
Fixtures._setup_booking_fixtures()
contracts = Fixtures.contract
for index in range(1, {count}):
    client = Fixtures._create_booking_client(f"H3 Adjacent Client {{index}}", f"adjacent{{index}}@h3.example")
    contracts |= Fixtures._create_booking_contract(client, serial=f"SL-H3-A{{index:02d}}")
contracts.write({{"next_due_date": fields.Date.add(fields.Date.today(), days=14)}})
slots = contracts[0]._get_available_slots(for_client=True)
starts = {{slot["start"] for slot in slots}}
tz = pytz.timezone(contracts[0]._get_booking_tz())
by_day = {{}}
for slot in slots:
    start = slot["start"]
    second = start + timedelta(minutes=90)
    if second not in starts or slot["technician_ids"] != [Fixtures.technician.id]:
        continue
    local = pytz.utc.localize(start).astimezone(tz)
    if pytz.utc.localize(second).astimezone(tz).date() != local.date():
        continue
    # prefer 10:00 local, else the first pair of the day
    best = by_day.get(local.date())
    if best is None or (local.hour, local.minute) == (10, 0):
        by_day[local.date()] = (start, second)
pairs = [by_day[day] for day in sorted(by_day)][:{rounds}]
env.cr.commit()
print("H3_FIXTURES " + json.dumps({{
    "contract_ids": contracts.ids,
    "partner_ids": contracts.partner_id.ids,
    "tokens": contracts.mapped("booking_token"),
    "pairs": [[a.strftime("%Y-%m-%d %H:%M:%S"), b.strftime("%Y-%m-%d %H:%M:%S")] for a, b in pairs],
    "technician_id": Fixtures.technician.id,
    "buffer": env["ir.config_parameter"].sudo().get_param("fusion_tasks.travel_buffer_minutes"),
}}))
"""


@tagged("post_install", "-at_install")
class TestParallelAdjacentBooking(concurrency.TestConcurrentBooking):
    # only the test below runs here (the ten-clients race runs in its own module)
    test_ten_parallel_confirms_for_one_slot = None

    def _create_adjacent_fixtures(self):
        shell = subprocess.run(
            [
                *concurrency._odoo_command(),
                "shell",
                "--database",
                self.clone_db,
                *self._odoo_options(),
                "--no-http",
            ],
            input=FIXTURES_SCRIPT.format(count=2 * ROUNDS, rounds=ROUNDS),
            env=self.pg_env,
            capture_output=True,
            text=True,
            timeout=concurrency.SERVER_START_TIMEOUT,
            check=False,
        )
        lines = [line for line in shell.stdout.splitlines() if line.startswith("H3_FIXTURES ")]
        self.assertTrue(lines, f"fixtures not created:\n{shell.stdout[-2000:]}\n{shell.stderr[-4000:]}")
        fixtures = json.loads(lines[-1].split(" ", 1)[1])
        self.assertEqual(fixtures["buffer"], "30")
        self.assertEqual(len(fixtures["pairs"]), ROUNDS, "a free pair of adjacent times on each round's day")
        return fixtures

    def _open_page(self, base_url, token):
        session = requests.Session()
        page = session.get(f"{base_url}{BOOKING_ROUTE}/{token}", timeout=concurrency.REQUEST_TIMEOUT)
        self.assertEqual(page.status_code, 200, page.text[:500])
        doc = lxml.html.fromstring(page.content)
        csrf = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//input[@name='csrf_token']/@value")[0]
        offered = [node.get("data-slot-start") for node in doc.xpath("//input[@name='slot_start']")]
        return session, csrf, offered

    def _race(self, base_url, requests_to_send):
        """Post every (session, token, csrf, slot) at once; return (status, page text) of each."""
        barrier = threading.Barrier(len(requests_to_send))
        results = [None] * len(requests_to_send)

        def confirm(index, session, token, csrf, slot):
            try:
                barrier.wait(timeout=concurrency.REQUEST_TIMEOUT)
                response = session.post(
                    f"{base_url}{BOOKING_ROUTE}/{token}/confirm",
                    data={"slot_start": slot, "csrf_token": csrf, "booked_slot_start": ""},
                    timeout=concurrency.REQUEST_TIMEOUT,
                )
                text = " ".join(lxml.html.fromstring(response.content).text_content().split())
                results[index] = (response.status_code, text)
            except Exception as error:  # pylint: disable=broad-except
                results[index] = (None, repr(error))

        threads = [
            threading.Thread(target=confirm, args=(index, *request)) for index, request in enumerate(requests_to_send)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(concurrency.REQUEST_TIMEOUT + 30)
        return results

    def _technician_tasks(self, technician_id):
        with contextlib.closing(odoo.sql_db.db_connect(self.clone_db).cursor()) as cr:
            cr.execute(
                "SELECT id, maintenance_contract_id, scheduled_start, scheduled_end FROM fusion_technician_task"
                " WHERE technician_id = %s AND state != 'cancelled' ORDER BY scheduled_start",
                [technician_id],
            )
            return cr.fetchall()

    def test_parallel_adjacent_confirms_keep_the_travel_buffer(self):
        self._copy_database()
        fixtures = self._create_adjacent_fixtures()
        base_url = self._start_server()
        technician_id = fixtures["technician_id"]
        tokens = fixtures["tokens"]
        outcomes = []
        for round_index, (first, second) in enumerate(fixtures["pairs"]):
            token_a, token_b = tokens[2 * round_index], tokens[2 * round_index + 1]
            session_a, csrf_a, offered_a = self._open_page(base_url, token_a)
            session_b, csrf_b, offered_b = self._open_page(base_url, token_b)
            self.assertIn(first, offered_a)
            self.assertIn(second, offered_b)
            results = self._race(base_url, [(session_a, token_a, csrf_a, first), (session_b, token_b, csrf_b, second)])
            summary = [(status, text[:160]) for status, text in results]
            booked = [index for index, (_status, text) in enumerate(results) if "Your visit is booked" in text]
            outcomes.append((round_index, first, second, booked))
            with self.subTest(round=round_index, first=first, second=second):
                self.assertEqual([status for status, _text in results], [200, 200], summary)
                self.assertLessEqual(len(booked), 1, f"both adjacent times booked: {summary}")
                self.assertEqual(len(booked), 1, f"nobody booked: {summary}")
                # what the database holds for that technician in [A, A + 3 h)
                window_start = datetime.strptime(first, SLOT_FORMAT)
                window_end = window_start + 2 * VISIT
                in_window = [
                    task for task in self._technician_tasks(technician_id) if window_start <= task[2] < window_end
                ]
                self.assertLessEqual(len(in_window), 1, in_window)
        # every visit of the technician keeps the 30-minute buffer with the next one
        tasks = self._technician_tasks(technician_id)
        for (id_1, _c1, _s1, end_1), (id_2, _c2, start_2, _e2) in itertools.pairwise(tasks):
            with self.subTest(tasks=(id_1, id_2)):
                self.assertGreaterEqual(start_2 - end_1, BUFFER, (tasks, outcomes))
        print(f"[fusion_repairs adjacent race] {outcomes}", file=sys.__stderr__)
