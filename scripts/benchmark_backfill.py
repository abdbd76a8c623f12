#!/usr/bin/env python3
"""Benchmark of Maintenance > Contracts > Enrol Past Sales (the installed-base backfill).

    python3 scripts/benchmark_backfill.py -d <database> [--lines 10000]

Needs `odoo` importable (or ODOO_PATH pointing at an Odoo 19 source tree) and a database
where fusion_repairs is installed. Everything it creates lives in one transaction that is
rolled back at the end: the database is left as it was.

It creates ``--lines`` past sale lines (by default 10,000, in orders of 10 lines over three
years: units of maintainable products, services, accessories, a few cancelled orders, some
lines enrolled already, some orders delivered), then prints:
- the dry run: wall time, SQL queries (and per 1,000 sale lines), peak RSS of the process
  (targets: under 60 s and under 500 MB on 2 cores);
- the execute: wall time and contracts created (target: under 3 minutes).
"""

import argparse
import os
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_DRY_RUN_S = 60
TARGET_RSS_MB = 500
TARGET_EXECUTE_S = 180
LINES_PER_ORDER = 10


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
    parser.add_argument("--lines", type=int, default=10000, help="past sale lines to create")
    parser.add_argument("--delivered-orders", type=int, default=50, help="orders confirmed and delivered in full")
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


def rss_mb():
    """Peak resident set size of this process, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_past_sales(env, line_count, delivered_orders):
    """Orders of 10 lines, ordered over the last three years, confirmed without the
    enrolment (as if sold before the maintenance programme), except every 20th order, which
    is confirmed normally (its units are enrolled already)."""
    from odoo import Command

    Category = env["fusion.repair.product.category"]
    categories = [
        Category.create(
            {
                "name": f"Bench {name}",
                "code": f"bench-{name}-{time.time_ns()}",
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": months,
                "x_fc_maintenance_fee": 149.0,
            }
        )
        for name, months in (("stairlift", 6), ("porchlift", 12), ("powerchair", 6), ("bed", 12))
    ]
    units = [
        env["product.product"].create(
            {"name": f"Bench unit {i}", "type": "consu", "x_fc_repair_category_id": categories[i % 4].id}
        )
        for i in range(12)
    ]
    service = env["product.product"].create({"name": "Bench installation", "type": "service"})
    accessory = env["product.product"].create({"name": "Bench remote", "type": "consu"})
    zone = env["fusion.service.zone"].create({"name": "Bench zone", "postal_prefixes": "M4, M5"})
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench client {i}",
                "email": f"client{i}@example.com" if i % 7 else False,
                "zip": ("M4C 1A1", "M5R 2B2", "K7L 3N6")[i % 3],
            }
            for i in range(max(line_count // 5, 1))
        ]
    )
    orders_count = max(line_count // LINES_PER_ORDER, 1)
    order_vals = []
    for index in range(orders_count):
        lines = []
        for position in range(LINES_PER_ORDER):
            kind = (index + position) % 10
            product = service if kind == 8 else accessory if kind == 9 else units[(index + position) % len(units)]
            lines.append(Command.create({"product_id": product.id, "product_uom_qty": 1}))
        order_vals.append({"partner_id": partners[index % len(partners)].id, "order_line": lines})
    orders = env["sale.order"]
    for start in range(0, len(order_vals), 200):
        orders |= env["sale.order"].create(order_vals[start : start + 200])
        env.flush_all()
        env.invalidate_all()
    enrolled = orders[::20]
    delivered = (orders - enrolled)[:delivered_orders]
    for order in enrolled | delivered:
        order.action_confirm()
    delivered.x_fc_maintenance_contract_ids.sudo().unlink()
    for picking in delivered.picking_ids:
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
    delivered.picking_ids.with_context(skip_sms=True, skip_backorder=True).button_validate()
    env.flush_all()
    # the rest: confirmed before the programme (no contract, no delivery in Odoo); a few cancelled
    others = orders - enrolled - delivered
    env.cr.execute(
        "UPDATE sale_order SET state = CASE WHEN id %% 25 = 0 THEN 'cancel' ELSE 'sale' END WHERE id = ANY(%s)",
        [others.ids],
    )
    env.cr.execute(
        "UPDATE sale_order_line l SET state = o.state FROM sale_order o WHERE o.id = l.order_id AND o.id = ANY(%s)",
        [others.ids],
    )
    now = datetime.now()
    env.cr.execute(
        "UPDATE sale_order SET date_order = %s - (id %% 1100) * interval '1 day' WHERE id = ANY(%s)",
        [now, orders.ids],
    )
    env.invalidate_all()
    return partners, zone


def main():
    args = parse_args()
    odoo = import_odoo()
    setup_odoo(odoo, args)
    from odoo import SUPERUSER_ID, Command, api
    from odoo.modules.registry import Registry

    registry = Registry(args.database)
    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "America/Toronto", "tracking_disable": True})
        print(f"Creating {args.lines} past sale lines (not measured)...", flush=True)
        started = time.perf_counter()
        partners, _zone = make_past_sales(env, args.lines, args.delivered_orders)
        print(f"  done in {time.perf_counter() - started:.0f} s; peak RSS so far {rss_mb():.0f} MB", flush=True)
        env.invalidate_all()

        wizard = env["fusion.repair.maintenance.backfill.wizard"].create({"partner_ids": [Command.set(partners.ids)]})
        before_rss = rss_mb()
        queries = cr.sql_log_count
        started = time.perf_counter()
        wizard.action_dry_run()
        env.flush_all()
        dry_run_s = time.perf_counter() - started
        dry_run_queries = cr.sql_log_count - queries
        peak = rss_mb()
        lines = wizard.line_ids
        sale_lines = len(lines.sale_line_id)
        print(f"\nDry run on {sale_lines} sale lines ({len(lines)} units listed):")
        print(f"  to create {wizard.create_count}, skipped {wizard.skip_count}, with a warning {wizard.warning_count}")
        print(f"  time            {dry_run_s:6.1f} s   (target < {TARGET_DRY_RUN_S} s)")
        per_thousand = dry_run_queries / max(sale_lines, 1) * 1000
        print(f"  SQL queries     {dry_run_queries:6d}     ({per_thousand:.0f} per 1,000 lines)")
        print(
            f"  peak RSS        {peak:6.0f} MB  (target < {TARGET_RSS_MB} MB; {before_rss:.0f} MB before the dry run)"
        )
        print(f"  CPUs            {os.cpu_count()}")

        started = time.perf_counter()
        wizard.action_execute()
        env.flush_all()
        execute_s = time.perf_counter() - started
        print(f"\nExecute: {wizard.created_count} contracts created")
        print(f"  time            {execute_s:6.1f} s   (target < {TARGET_EXECUTE_S} s)")
        print(f"  peak RSS        {rss_mb():6.0f} MB")

        rerun = env["fusion.repair.maintenance.backfill.wizard"].create({"partner_ids": [Command.set(partners.ids)]})
        started = time.perf_counter()
        rerun.action_dry_run()
        print(f"\nRerun dry run: {rerun.create_count} to create ({time.perf_counter() - started:.1f} s)")
        ok = dry_run_s < TARGET_DRY_RUN_S and peak < TARGET_RSS_MB and execute_s < TARGET_EXECUTE_S
        ok = ok and rerun.create_count == 0
        print("\nAll targets met." if ok else "\nSome target missed.")
        return 0 if ok else 1
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    sys.exit(main())
