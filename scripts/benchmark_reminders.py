#!/usr/bin/env python3
"""Benchmark of the daily due-reminder job of fusion_repairs.

    python3 scripts/benchmark_reminders.py -d <database> [--contracts 10000]

A database with both addons installed is made the way scripts/test.sh makes its own:

    bash -c 'source scripts/_odoo_env.sh && clone_db "$(ensure_template 1)" bench_reminders \\
        && install_ours bench_reminders /tmp/bench_reminders.log'
    python3 scripts/benchmark_reminders.py -d bench_reminders --contracts 2000
    bash -c 'source scripts/_odoo_env.sh && drop_db bench_reminders'

Needs `odoo` importable (or ODOO_PATH pointing at an Odoo 19 source tree). Everything it
creates lives in one transaction rolled back at the end (the job's batch commits are
turned into flushes): the database is left as it was.

On N contracts due in 7 days (N clients, 20 products) it measures, in the same run:
- the floor: Odoo's own ``mail.template.send_mail`` of the due-reminder template, once per
  contract (one queued email each, no chatter message), then rolled back;
- the job: ``_cron_maintenance_due_reminders`` on the same contracts (an email queued and
  a message posted on each contract's chatter, the band stamped, batch commits);
and prints the wall time and SQL queries per contract of each, and their ratio.
Targets: the job at most 1.3 times the floor's time and at most 12 queries per contract,
whatever N.

Measured (2 shared cores; ms and queries per contract, floor / job):
- before the batching: 2,000: 16.8 ms, 11.0 / 29.1 ms, 28.1 (1.73x); 10,000: 26.4 ms, 11.0 /
  95.0 ms, 28.0 (3.60x, 16 minutes for the job);
- after: 2,000: 17.0 ms, 11.0 / 14.7 ms, 10.2 (0.87x); 10,000: 17.5 ms, 11.0 / 15.6 ms, 10.2
  (0.89x, 156 s for the job).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
TARGET_QUERIES = 12


def import_odoo():
    try:
        import odoo
    except ImportError:
        odoo_path = os.environ.get("ODOO_PATH")
        if not odoo_path:
            sys.exit("Odoo is not importable: install it or set ODOO_PATH to an Odoo 19 source tree.")
        sys.path.insert(0, odoo_path)
        import odoo
    return odoo


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True, help="database with fusion_repairs installed")
    parser.add_argument("--addons-path", help="Odoo addons path (default: Odoo's addons and this repository)")
    parser.add_argument("--db-host", help="PostgreSQL host (default: local socket)")
    parser.add_argument("--db-port", help="PostgreSQL port")
    parser.add_argument("--db-user", help="PostgreSQL user")
    parser.add_argument("--db-password", help="PostgreSQL password")
    parser.add_argument("--contracts", type=int, default=10000, help="contracts due (default 10,000)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the job to FILE and print its top")
    parser.add_argument("--skip-floor", action="store_true", help="measure the job only")
    return parser.parse_args()


def setup_odoo(odoo, args):
    from odoo.tools import config

    addons_path = args.addons_path or ",".join(
        [str(Path(next(iter(odoo.__path__))).resolve().parent / "addons"), str(REPO)]
    )
    options = ["-d", args.database, "--addons-path", addons_path, "--log-level", "warn", "--no-http"]
    for flag, value in (
        ("--db_host", args.db_host),
        ("--db_port", args.db_port),
        ("--db_user", args.db_user),
        ("--db_password", args.db_password),
    ):
        if value:
            options += [flag, value]
    config.parse_config(options, setup_logging=True)


def create_contracts(env, count):
    """``count`` active contracts due in 7 days, each for its own client (with an email),
    on 20 products of a maintenance category with a fee."""
    from odoo import fields

    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True))
    category = env["fusion.repair.product.category"].create(
        {
            "name": "Benchmark stair lifts",
            "code": f"BENCH-REMINDERS-{uuid.uuid4().hex[:8]}",
            "x_fc_maintenance_enabled": True,
            "x_fc_maintenance_interval_months": 6,
            "x_fc_maintenance_fee": 149.0,
        }
    )
    products = env["product.product"].create(
        [
            {"name": f"Benchmark Stair Lift {index:02d}", "type": "consu", "x_fc_repair_category_id": category.id}
            for index in range(20)
        ]
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Benchmark Client {index:05d}",
                "email": f"bench.client.{index:05d}@example.com",
                "zip": "M4C 1A1",
            }
            for index in range(count)
        ]
    )
    due = fields.Date.context_today(env["res.partner"]) + timedelta(days=7)
    contracts = env["fusion.repair.maintenance.contract"]
    for start in range(0, count, 1000):
        contracts |= contracts.create(
            [
                {
                    "partner_id": partner.id,
                    "product_id": products[index % len(products)].id,
                    "next_due_date": due,
                    "x_fc_device_serial": f"BENCH-{index:05d}",
                }
                for index, partner in enumerate(partners[start : start + 1000], start)
            ]
        )
    env.flush_all()
    return contracts


def measure(env, func):
    env.invalidate_all()
    before = env.cr.sql_log_count
    start = time.perf_counter()
    func()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - before


def run(env, args):
    Contract = env["fusion.repair.maintenance.contract"]
    template = env.ref("fusion_repairs.email_template_maintenance_due_reminder")
    # the due contracts of the database (demo data) first, so that both measures do the same work
    Contract._cron_maintenance_due_reminders()
    env.flush_all()
    started = time.perf_counter()
    contracts = create_contracts(env, args.contracts)
    print(f"Created {len(contracts)} contracts due in 7 days in {time.perf_counter() - started:.0f} s")
    ids = contracts.ids
    count = len(ids)

    floor_time = floor_queries = None
    if not args.skip_floor:
        env.cr.execute("SAVEPOINT benchmark_floor")

        def floor():
            for res_id in ids:
                template.send_mail(res_id)

        floor_time, floor_queries = measure(env, floor)
        mails = env["mail.mail"].search_count([("model", "=", Contract._name), ("res_id", "in", ids)])
        env.cr.execute("ROLLBACK TO SAVEPOINT benchmark_floor")
        env.invalidate_all()
        env.registry.clear_cache()
        assert mails == count, f"the floor queued {mails} emails for {count} contracts"

    profile = cProfile.Profile() if args.profile else None

    def job():
        if profile:
            profile.enable()
        Contract._cron_maintenance_due_reminders()
        if profile:
            profile.disable()

    job_time, job_queries = measure(env, job)
    contracts.invalidate_recordset()
    stamped = Contract.search_count([("id", "in", ids), ("reminder_band_sent", "=", 7)])
    mails = env["mail.mail"].search_count(
        [("model", "=", Contract._name), ("res_id", "in", ids), ("mail_message_id.message_type", "=", "comment")]
    )
    assert stamped == count, f"the job stamped {stamped} of {count} contracts"
    assert mails == count, f"the job queued {mails} emails for {count} contracts"

    def per(seconds):
        return f"{seconds * 1000 / count:7.2f} ms"

    print(f"Due reminders on {args.database}: {count} contracts due in 7 days ({job_time:.0f} s for the job)")
    print(f"  {'call':<52} {'per contract':>13} {'queries':>8}")
    if floor_time is not None:
        print(f"  {'mail.template.send_mail (floor)':<52} {per(floor_time)} {floor_queries / count:8.1f}")
    print(f"  {'_cron_maintenance_due_reminders':<52} {per(job_time)} {job_queries / count:8.1f}")
    ok = job_queries / count <= TARGET_QUERIES
    if floor_time is not None:
        ratio = job_time / floor_time
        ok = ok and ratio <= TARGET_RATIO
        print(f"  -> ratio job / floor = {ratio:.2f} (target <= {TARGET_RATIO}); ", end="")
    else:
        print("  -> ", end="")
    print(f"{job_queries / count:.1f} queries per contract (target <= {TARGET_QUERIES})")
    if profile:
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
    return ok


def main():
    args = parse_args()
    odoo = import_odoo()
    setup_odoo(odoo, args)
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(args.database)
    cr = registry.cursor()
    # the job commits after each batch: flush instead, so that everything is rolled back
    cr.commit = cr.flush
    try:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "America/Toronto"})
        if "fusion.repair.maintenance.contract" not in env:
            sys.exit(f"fusion_repairs is not installed in {args.database}.")
        ok = run(env, args)
    finally:
        cr.rollback()
        cr.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
