"""Ten clients confirm the same slot of the only qualified technician at the same moment,
against a real Odoo server with its own threads: exactly one booking, nine "just taken" pages,
no orphan task, calendar event or repair order.

HttpCase's server shares the test's cursor (requests are serialised), so this test copies the
test database (``pg_dump | pg_restore``: a database with open connections cannot be used as a
``CREATE DATABASE`` template), commits its fixtures there with ``odoo-bin shell``, starts
``odoo-bin`` (threaded server) on the copy, and removes the server, the copy and its filestore
afterwards, whatever happens.
"""

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import lxml.html
import requests

import odoo
from odoo import release
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config

from .common import BOOKING_ROUTE

_logger = logging.getLogger(__name__)

PARALLEL_CLIENTS = 10
SERVER_START_TIMEOUT = 180
REQUEST_TIMEOUT = 120

# Run by ``odoo-bin shell`` on the copy (a registry loaded inside the test process would run
# the at_install tests of every module): commits the fixtures and prints what the test needs.
FIXTURES_SCRIPT = """
import json
from odoo import fields
from odoo.addons.fusion_repairs.tests.common import BookingFixturesMixin

class Fixtures(BookingFixturesMixin):
    pass

Fixtures.env = env(context=dict(env.context, tracking_disable=True))
Fixtures._setup_booking_fixtures()
contracts = Fixtures.contract
for index in range(1, {count}):
    client = Fixtures._create_booking_client(f"H3 Parallel Client {{index}}", f"parallel{{index}}@h3.example")
    contracts |= Fixtures._create_booking_contract(client, serial=f"SL-H3-P{{index:02d}}")
# due in two weeks (real time): online booking is open
contracts.write({{"next_due_date": fields.Date.add(fields.Date.today(), days=14)}})
slot = contracts[0]._get_available_slots(for_client=True)[0]
env.cr.commit()
print("H3_FIXTURES " + json.dumps({{
    "contract_ids": contracts.ids,
    "partner_ids": contracts.partner_id.ids,
    "tokens": contracts.mapped("booking_token"),
    "slot": slot["start"].strftime("%Y-%m-%d %H:%M:%S"),
    "slot_technicians": slot["technician_ids"],
    "technician_id": Fixtures.technician.id,
}}))
"""


def _pg_env():
    """libpq environment of the tested database (pg tools and the server both use it)."""
    env = dict(os.environ)
    for key, var in (
        ("db_host", "PGHOST"),
        ("db_port", "PGPORT"),
        ("db_user", "PGUSER"),
        ("db_password", "PGPASSWORD"),
    ):
        value = config.get(key)
        if value and value != "False":
            env[var] = str(value)
    return env


def _free_port():
    wanted = os.environ.get("FUSION_CONCURRENCY_TEST_PORT")
    if wanted:
        return int(wanted)
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _odoo_command():
    source_tree_bin = os.path.join(os.path.dirname(os.path.dirname(release.__file__)), "odoo-bin")
    if os.path.isfile(source_tree_bin):
        return [sys.executable, source_tree_bin]
    installed = shutil.which("odoo")
    return [installed] if installed else [sys.executable, "-m", "odoo"]


@tagged("post_install", "-at_install")
class TestConcurrentBooking(BaseCase):
    def setUp(self):
        super().setUp()
        for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
            if not shutil.which(tool):
                self.skipTest(f"{tool} is needed to copy the database")
        self.source_db = get_db_name()
        self.clone_db = f"{self.source_db}_conc_{uuid.uuid4().hex[:8]}"
        self.pg_env = _pg_env()
        self.server = None
        self.server_log = tempfile.TemporaryFile(mode="w+")  # pylint: disable=consider-using-with
        self.addCleanup(self._cleanup)

    # ------------------------------------------------------------------
    # Database copy, fixtures, server
    # ------------------------------------------------------------------

    def _run(self, *cmd):
        return subprocess.run(cmd, env=self.pg_env, capture_output=True, text=True, check=False)

    def _odoo_options(self):
        return ["--addons-path", ",".join(config["addons_path"]), "--data-dir", config["data_dir"]]

    def _copy_database(self):
        created = self._run("createdb", self.clone_db)
        self.assertEqual(created.returncode, 0, created.stderr)
        with subprocess.Popen(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", self.source_db],
            env=self.pg_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as dump:
            restore = subprocess.run(
                ["pg_restore", "--no-owner", "--no-acl", "--dbname", self.clone_db],
                env=self.pg_env,
                stdin=dump.stdout,
                capture_output=True,
                check=False,
            )
            dump.stdout.close()
            dump_errors = dump.stderr.read().decode()
        self.assertEqual(dump.returncode, 0, dump_errors)
        self.assertEqual(restore.returncode, 0, restore.stderr.decode())
        source_store = config.filestore(self.source_db)
        if os.path.isdir(source_store):
            shutil.copytree(source_store, config.filestore(self.clone_db))

    def _create_fixtures(self):
        """Commit, in the copy, one technician and ten clients of his zone with a contract."""
        shell = subprocess.run(
            [*_odoo_command(), "shell", "--database", self.clone_db, *self._odoo_options(), "--no-http"],
            input=FIXTURES_SCRIPT.format(count=PARALLEL_CLIENTS),
            env=self.pg_env,
            capture_output=True,
            text=True,
            timeout=SERVER_START_TIMEOUT,
            check=False,
        )
        lines = [line for line in shell.stdout.splitlines() if line.startswith("H3_FIXTURES ")]
        self.assertTrue(lines, f"fixtures not created:\n{shell.stdout[-2000:]}\n{shell.stderr[-4000:]}")
        fixtures = json.loads(lines[-1].split(" ", 1)[1])
        self.assertEqual(fixtures["slot_technicians"], [fixtures["technician_id"]], "one qualified technician")
        return fixtures

    def _start_server(self):
        port = _free_port()
        command = [
            *_odoo_command(),
            "--database",
            self.clone_db,
            f"--db-filter=^{self.clone_db}$",
            *self._odoo_options(),
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(port),
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--db_maxconn",
            "64",
            "--log-level",
            os.environ.get("FUSION_CONCURRENCY_TEST_LOG_LEVEL", "warn"),
        ]
        self.server = subprocess.Popen(  # pylint: disable=consider-using-with
            command, env=self.pg_env, stdout=self.server_log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                self.fail(f"odoo-bin stopped:\n{self._server_output()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base_url}/web/health", timeout=5).status_code == 200:
                    return base_url
            time.sleep(0.5)
        self.fail(f"odoo-bin did not answer within {SERVER_START_TIMEOUT} s:\n{self._server_output()}")

    def _server_output(self):
        self.server_log.flush()
        self.server_log.seek(0)
        return self.server_log.read()[-4000:]

    def _cleanup(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=30)
        if os.environ.get("FUSION_CONCURRENCY_TEST_LOG"):  # keep the server's log to look into
            self.server_log.seek(0)
            with open(os.environ["FUSION_CONCURRENCY_TEST_LOG"], "w") as kept:
                kept.write(self.server_log.read())
        self.server_log.close()
        odoo.sql_db.close_db(self.clone_db)
        dropped = self._run("dropdb", "--if-exists", "--force", self.clone_db)
        if dropped.returncode:
            _logger.warning("Could not drop %s: %s", self.clone_db, dropped.stderr)
        shutil.rmtree(config.filestore(self.clone_db), ignore_errors=True)

    # ------------------------------------------------------------------
    # The test
    # ------------------------------------------------------------------

    def test_ten_parallel_confirms_for_one_slot(self):
        self._copy_database()
        fixtures = self._create_fixtures()
        base_url = self._start_server()
        slot = fixtures["slot"]

        # each client opens their own page (own session, own CSRF token) ...
        sessions = []
        for token in fixtures["tokens"]:
            session = requests.Session()
            page = session.get(f"{base_url}{BOOKING_ROUTE}/{token}", timeout=REQUEST_TIMEOUT)
            self.assertEqual(page.status_code, 200, page.text[:500])
            doc = lxml.html.fromstring(page.content)
            self.assertIn(slot, [node.get("data-slot-start") for node in doc.xpath("//input[@name='slot_start']")])
            csrf = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//input[@name='csrf_token']/@value")[0]
            sessions.append((session, token, csrf))

        # ... and all confirm the same time at once
        barrier = threading.Barrier(len(sessions))
        results = [None] * len(sessions)

        def confirm(index, session, token, csrf):
            try:
                barrier.wait(timeout=REQUEST_TIMEOUT)
                response = session.post(
                    f"{base_url}{BOOKING_ROUTE}/{token}/confirm",
                    data={"slot_start": slot, "csrf_token": csrf},
                    timeout=REQUEST_TIMEOUT,
                )
                text = " ".join(lxml.html.fromstring(response.content).text_content().split())
                results[index] = (response.status_code, text)
            except Exception as error:  # pylint: disable=broad-except
                results[index] = (None, repr(error))

        threads = [threading.Thread(target=confirm, args=(i, *session)) for i, session in enumerate(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 30)

        summary = [(status, text[:120]) for status, text in results]
        summary.append(self._server_output())
        self.assertEqual([status for status, _text in results], [200] * len(sessions), summary)
        booked = [i for i, (_status, text) in enumerate(results) if "Your visit is booked" in text]
        taken = [i for i, (_status, text) in enumerate(results) if "That time was just taken" in text]
        self.assertEqual(len(booked), 1, summary)
        self.assertEqual(sorted(booked + taken), list(range(len(sessions))), summary)

        # what the database holds: one task, one event, one repair order, all the winner's
        contract_ids = tuple(fixtures["contract_ids"])
        winner_id = fixtures["contract_ids"][booked[0]]
        with contextlib.closing(odoo.sql_db.db_connect(self.clone_db).cursor()) as cr:
            cr.execute(
                "SELECT id, maintenance_contract_id, calendar_event_id, repair_order_id, state, scheduled_start"
                " FROM fusion_technician_task WHERE maintenance_contract_id IN %s",
                [contract_ids],
            )
            tasks = cr.fetchall()
            cr.execute(
                "SELECT id FROM calendar_event WHERE res_model = %s AND res_id IN %s",
                ["fusion.repair.maintenance.contract", contract_ids],
            )
            events = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT id FROM repair_order WHERE partner_id IN %s", [tuple(fixtures["partner_ids"])])
            repairs = [row[0] for row in cr.fetchall()]
            cr.execute(
                "SELECT id, task_id, calendar_event_id, repair_order_id, is_booked"
                " FROM fusion_repair_maintenance_contract WHERE id IN %s",
                [contract_ids],
            )
            contracts = {row[0]: tuple(row[1:]) for row in cr.fetchall()}
        self.assertEqual(len(tasks), 1, tasks)
        self.assertEqual((len(events), len(repairs)), (1, 1), (events, repairs))
        task_id, task_contract, task_event, task_repair, task_state, task_start = tasks[0]
        self.assertEqual(task_contract, winner_id)
        self.assertEqual(task_state, "scheduled")
        self.assertEqual(task_start.strftime("%Y-%m-%d %H:%M:%S"), slot)
        self.assertEqual((task_event, task_repair), (events[0], repairs[0]))
        self.assertEqual(contracts.pop(winner_id), (task_id, events[0], repairs[0], True))
        for loser in contracts.values():
            self.assertEqual(loser, (None, None, None, False))
