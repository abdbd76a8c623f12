#!/usr/bin/env python3
"""Benchmark of the bookable-slot query of fusion_tasks.

    python3 scripts/benchmark_slots.py -d <database> [--repeat 15]

Needs `odoo` importable (or ODOO_PATH pointing at an Odoo 19 source tree) and a
database where fusion_tasks is installed. Everything it creates (a working
schedule, technicians, tasks, meetings, time off) lives in one transaction that
is rolled back at the end: the database is left as it was.

It prints, for 20 technicians, a 30-day horizon and 500 existing tasks:
- the time and SQL query count of `fusion.technician.task._get_bookable_slots`,
- the same for a bare `resource.calendar._work_intervals_batch` call on the same
  technicians and period (the working-time computation every schedule needs),
- the ratio of the two (target: below 1.5),
and the query count of the slot query with 5 technicians, which must be the same.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5


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
    parser.add_argument("-d", "--database", required=True, help="database with fusion_tasks installed")
    parser.add_argument("--addons-path", help="Odoo addons path (default: Odoo's addons and this repository)")
    parser.add_argument("--db-host", help="PostgreSQL host (default: local socket)")
    parser.add_argument("--db-port", help="PostgreSQL port")
    parser.add_argument("--db-user", help="PostgreSQL user")
    parser.add_argument("--db-password", help="PostgreSQL password")
    parser.add_argument("--repeat", type=int, default=15, help="measured runs of each call (median kept)")
    parser.add_argument("--technicians", type=int, default=20)
    parser.add_argument("--small", type=int, default=5, help="technicians of the second, smaller run")
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--horizon-days", type=int, default=30)
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


def measure(env, funcs, repeat):
    """Wall times and SQL query count of each callable, run in turn
    (interleaved, so that a busy machine slows them alike), with a cold ORM
    cache (ormcaches warm) before every run, as in a new request.

    :return: ``[(best seconds, median seconds, queries, result)]`` in the
        order of ``funcs``; the best run (as ``timeit`` reports) is the
        cost with the least interference from other processes
    """
    results = [func() for func in funcs]  # warm-up
    timings = [[] for _func in funcs]
    queries = [set() for _func in funcs]
    for _run in range(repeat):
        for index, func in enumerate(funcs):
            env.invalidate_all()
            before = env.cr.sql_log_count
            start = time.perf_counter()
            results[index] = func()
            timings[index].append(time.perf_counter() - start)
            queries[index].add(env.cr.sql_log_count - before)
    return [
        (min(timings[index]), statistics.median(timings[index]), max(queries[index]), results[index])
        for index in range(len(funcs))
    ]


def create_data(env, args, now):
    """A 9-17 Toronto schedule with a lunch break, technicians, tasks,
    meetings and time off spread over the horizon."""
    import pytz

    from odoo.fields import Command

    rng = random.Random(20261101)
    toronto = pytz.timezone("America/Toronto")
    env.company.partner_id.tz = "America/Toronto"
    env["ir.config_parameter"].sudo().set_param("fusion_tasks.travel_buffer_minutes", "30")
    attendances = []
    for day in range(5):
        attendances += [
            Command.create({"name": "Morning", "dayofweek": str(day), "hour_from": 9, "hour_to": 12}),
            Command.create(
                {"name": "Afternoon", "dayofweek": str(day), "hour_from": 13, "hour_to": 17, "day_period": "afternoon"}
            ),
        ]
    calendar = env["resource.calendar"].create(
        {
            "name": "Benchmark 9-17 Toronto",
            "tz": "America/Toronto",
            "attendance_ids": [Command.clear(), *attendances],
        }
    )
    skill = env["fusion.technician.skill"].create({"name": "Benchmark skill", "code": "BENCH-SKILL"})
    zone = env["fusion.service.zone"].create({"name": "Benchmark zone", "postal_prefixes": "M4"})
    users = env["res.users"].create(
        [
            {
                "name": f"Benchmark Technician {index:02d}",
                "login": f"benchmark_technician_{index:02d}@example.com",
                "tz": "America/Toronto",
                "x_fc_is_technician": True,
                "x_fc_technician_skill_ids": [Command.set(skill.ids)],
                "x_fc_service_zone_ids": [Command.set(zone.ids)],
            }
            for index in range(args.technicians)
        ]
    )
    users.resource_ids.write({"calendar_id": calendar.id, "tz": "America/Toronto"})
    client = env["res.partner"].create({"name": "Benchmark client", "zip": "M4B 1B3"})

    # working hours of the horizon, as (local day, start hour) candidates
    first_day = (now + timedelta(days=1)).date()
    days = [first_day + timedelta(days=offset) for offset in range(args.horizon_days)]
    work_days = [day for day in days if day.weekday() < 5]
    hours = [9, 10.5, 14, 15.5]
    candidates = [(day, hour) for day in work_days for hour in hours]

    def local(day, hour):
        naive = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
        return toronto.localize(naive).astimezone(pytz.utc).replace(tzinfo=None)

    tasks_values = []
    per_user = [args.tasks // len(users) + (1 if i < args.tasks % len(users) else 0) for i in range(len(users))]
    taken = {}
    for user, count in zip(users, per_user, strict=True):
        picked = rng.sample(candidates, count)
        taken[user.id] = set(picked)
        tasks_values += [
            {
                "technician_id": user.id,
                "partner_id": client.id,
                "task_type": "maintenance",
                "scheduled_start": local(day, hour),
                "scheduled_end": local(day, hour + 1),
            }
            for day, hour in picked
        ]
    env["fusion.technician.task"].create(tasks_values)

    # a weekly busy meeting for everybody, and two days off for a few technicians
    meetings = []
    for day in work_days:
        if day.weekday() == 0:
            meetings.append(
                {
                    "name": "Benchmark team meeting",
                    "start": local(day, 8),
                    "stop": local(day, 9),
                    "partner_ids": [Command.set(users.partner_id.ids)],
                }
            )
    env["calendar.event"].with_context(no_mail_to_attendees=True, mail_create_nolog=True).create(meetings)
    env["resource.calendar.leaves"].create(
        [
            {
                "name": "Benchmark day off",
                "calendar_id": calendar.id,
                "resource_id": user.resource_ids[:1].id,
                "date_from": local(work_days[3 + index], 0),
                "date_to": local(work_days[3 + index], 23.99),
            }
            for index, user in enumerate(users[:4])
        ]
    )
    env.flush_all()
    return calendar, skill, users


def run(env, args):
    from odoo.addons.fusion_tasks.lib import availability

    Task = env["fusion.technician.task"]
    now = datetime.now().replace(microsecond=0)
    calendar, skill, users = create_data(env, args, now)
    duration_hours, notice_hours, grid = 1.5, 24, 30
    earliest = availability.as_utc(now + timedelta(hours=notice_hours))
    latest = availability.as_utc(now + timedelta(days=args.horizon_days) + timedelta(hours=duration_hours))

    def slots_for(technicians):
        return lambda: Task._get_bookable_slots(
            skill=skill,
            postal_code="M4B 1B3",
            duration_hours=duration_hours,
            now=now,
            horizon_days=args.horizon_days,
            min_notice_hours=notice_hours,
            grid_minutes=grid,
            technicians=technicians,
        )

    def bare_for(technicians):
        return lambda: calendar._work_intervals_batch(earliest, latest, resources=technicians.resource_ids)

    small = users[: args.small]
    (
        (bare_best, bare_median, bare_queries, _intervals),
        (slot_best, slot_median, slot_queries, slots),
        (small_bare_best, _small_bare_median, _small_bare_queries, _small_intervals),
        (small_best, _small_median, small_queries, small_slots),
    ) = measure(env, [bare_for(users), slots_for(users), bare_for(small), slots_for(small)], args.repeat)
    task_count = Task.search_count([("technician_id", "in", users.ids), ("state", "!=", "cancelled")])
    ratio = slot_best / bare_best

    def ms(seconds):
        return f"{seconds * 1000:8.2f}ms"

    print(
        f"Slot query benchmark on {args.database}: {len(users)} technicians, {args.horizon_days}-day horizon, "
        f"{task_count} tasks, {duration_hours} h visits, {grid}-minute grid, {notice_hours} h notice, "
        f"{args.repeat} interleaved runs"
    )
    print(f"  {'call':<46} {'best':>10} {'median':>10} {'queries':>8}")
    print(f"  {'resource.calendar._work_intervals_batch':<46} {ms(bare_best)} {ms(bare_median)} {bare_queries:>8}")
    print(f"  {'fusion.technician.task._get_bookable_slots':<46} {ms(slot_best)} {ms(slot_median)} {slot_queries:>8}")
    print(
        f"  -> {len(slots)} arrival windows; ratio slots / bare = {ratio:.2f} on the best runs "
        f"({slot_median / bare_median:.2f} on the medians); target < {TARGET_RATIO}"
    )
    print(
        f"With {len(small)} technicians: _get_bookable_slots {ms(small_best).strip()} best, {small_queries} queries "
        f"(bare {ms(small_bare_best).strip()}), {len(small_slots)} windows; "
        f"same query count as with {len(users)}: {'yes' if small_queries == slot_queries else 'NO'}"
    )
    return ratio < TARGET_RATIO and small_queries == slot_queries


def main():
    args = parse_args()
    odoo = import_odoo()
    setup_odoo(odoo, args)
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(args.database)
    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "America/Toronto"})
        if "fusion.technician.task" not in env:
            sys.exit(f"fusion_tasks is not installed in {args.database}.")
        ok = run(env, args)
    finally:
        cr.rollback()
        cr.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
