#!/usr/bin/env python3
"""Take the README screenshots from a served demo database (not a test).

    scripts/serve.sh &                      # fusion_demo on http://localhost:8069
    pip install playwright                  # the Python package only; Chromium comes from Debian
    python3 scripts/screenshots.py --url http://localhost:8069 --db fusion_demo

Writes docs/screenshots/{category_form,contract_form,reminder_email,booking,confirmation,
phone_checklist,contract_history,backfill_dry_run,overview,booking_french_phone,triage_phone}.png
(`--only later` takes the last four alone; the French page needs the language installed:
`scripts/serve.sh --load-language=fr_CA`). The client books a visit on the demo database; the
visit's checklist is shown on a 390 px phone, then the visit is finished (all checks passed)
and the contract shows the unit's history.
"""

import argparse
import datetime
import pathlib
import xmlrpc.client

from playwright.sync_api import sync_playwright

OUT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="fusion_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", choices=["all", "later"], default="all")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    uid = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common").authenticate(args.db, args.login, args.password, {})
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *params, **kw):
        return models.execute_kw(args.db, uid, args.password, model, method, list(params), kw)

    if args.only == "later":
        later_screenshots(args, call)
        print(f"screenshots written to {OUT}")
        return

    category_id = call("fusion.repair.product.category", "search", [("x_fc_maintenance_enabled", "=", True)], limit=1)[
        0
    ]
    contract = call(
        "fusion.repair.maintenance.contract",
        "search_read",
        [("state", "=", "active"), ("is_booked", "=", False)],
        fields=["id", "booking_url"],
        order="next_due_date",
        limit=1,
    )[0]
    cron_id = call("ir.model.data", "check_object_reference", "fusion_repairs", "ir_cron_maintenance_due_reminders")[1]
    call("ir.cron", "method_direct_trigger", [cron_id])
    # The queued mail holds the body as the client receives it (with the company layout).
    reminder = call(
        "mail.mail",
        "search_read",
        [("model", "=", "fusion.repair.maintenance.contract"), ("body_html", "ilike", "/maintenance/book/")],
        fields=["body_html"],
        order="id desc",
        limit=1,
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{args.url}/web/login?db={args.db}")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("form.oe_login_form button[type=submit]")
        page.wait_for_selector(".o_main_navbar")

        page.goto(f"{args.url}/odoo/action-fusion_repairs.fusion_repair_product_category_action/{category_id}")
        page.wait_for_selector(".o_form_view .o_form_sheet")
        page.screenshot(path=OUT / "category_form.png")

        page.goto(f"{args.url}/odoo/action-fusion_repairs.fusion_repair_maintenance_contract_action/{contract['id']}")
        page.wait_for_selector(".o_form_view .o_form_sheet")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "contract_form.png")

        if reminder:
            email = browser.new_page(viewport={"width": 760, "height": 900})
            email.set_content(reminder[0]["body_html"])
            email.wait_for_timeout(300)
            email.screenshot(path=OUT / "reminder_email.png", full_page=True)

        client = browser.new_page(viewport={"width": 1000, "height": 1100})
        client.goto(contract["booking_url"].replace(contract["booking_url"].split("/repairs")[0], args.url))
        client.wait_for_selector("[data-slot-start]")
        client.screenshot(path=OUT / "booking.png", full_page=False)
        client.click("label[data-slot-start] >> nth=0")
        submit = client.locator("form[action$='/confirm'] button[type=submit]").first
        if submit.is_visible():
            submit.click()
        client.wait_for_load_state("networkidle")
        client.screenshot(path=OUT / "confirmation.png", full_page=False)

        task_id = call("fusion.repair.maintenance.contract", "read", [contract["id"]], ["task_id"])[0]["task_id"][0]
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{args.url}/odoo/action-fusion_tasks.fusion_technician_task_action_my/{task_id}")
        phone.wait_for_selector("div[name='visit_line_ids'] .o_kanban_record")
        phone.wait_for_timeout(500)
        phone.screenshot(path=OUT / "phone_checklist.png", full_page=False)

        # the visit happens today: every check passes, the visit is finished
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
        call(
            "fusion.technician.task",
            "write",
            [task_id],
            {"scheduled_start": f"{now - datetime.timedelta(hours=1)}", "scheduled_end": f"{now}"},
        )
        visit_id = call("fusion.technician.task", "read", [task_id], ["maintenance_visit_id"])[0][
            "maintenance_visit_id"
        ][0]
        line_ids = call("fusion.repair.maintenance.checklist.line", "search", [("visit_id", "=", visit_id)])
        call("fusion.repair.maintenance.checklist.line", "write", line_ids, {"result": "pass", "reading": ""})
        call("fusion.technician.task", "action_done", [task_id])
        page.goto(f"{args.url}/odoo/action-fusion_repairs.fusion_repair_maintenance_contract_action/{contract['id']}")
        page.wait_for_selector(".o_form_view .o_form_sheet")
        page.click(".o_notebook .nav-link:has-text('Past Visits')")
        page.wait_for_timeout(500)
        page.screenshot(path=OUT / "contract_history.png")
        browser.close()
    later_screenshots(args, call)
    print(f"screenshots written to {OUT}")


def _login(browser, args, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{args.url}/web/login?db={args.db}")
    page.fill("input[name=login]", args.login)
    page.fill("input[name=password]", args.password)
    page.click("form.oe_login_form button[type=submit]")
    page.wait_for_selector(".o_main_navbar")
    return page


def later_screenshots(args, call):
    """Enrol Past Sales (dry run), the Maintenance Overview, and the client's page on a phone:
    in French, and its "Something else?" choices (call me instead, not working or unsafe)."""
    contracts = call(
        "fusion.repair.maintenance.contract",
        "search_read",
        [("state", "=", "active"), ("is_booked", "=", False), ("booking_token", "!=", False)],
        fields=["id", "booking_url", "partner_id"],
        order="next_due_date",
        limit=2,
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = _login(browser, args, {"width": 1440, "height": 900})
        page.goto(f"{args.url}/odoo/action-fusion_repairs.fusion_repair_maintenance_backfill_wizard_action")
        page.wait_for_selector(".o_form_view")
        page.click("button[name=action_dry_run]")
        page.wait_for_selector("button[name=action_view_lines]")
        page.click("button[name=action_view_lines] >> nth=0")
        page.wait_for_selector(".o_list_view .o_data_row")
        page.click(".o_searchview_facet .o_facet_remove")  # every unit: to create and skipped
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "backfill_dry_run.png")

        page.goto(f"{args.url}/odoo/action-fusion_repairs.fusion_repair_maintenance_overview_action")
        page.wait_for_selector(".o_fc_overview_section")
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "overview.png", full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)

        def local(url):
            return args.url + "/repairs" + url.split("/repairs", 1)[1]

        phone.goto(local(contracts[0]["booking_url"]) + "?lang=fr_CA")
        phone.wait_for_selector("[data-slot-start]")
        phone.wait_for_timeout(300)
        phone.screenshot(path=OUT / "booking_french_phone.png", full_page=False)

        phone.goto(local(contracts[-1]["booking_url"]))
        phone.wait_for_selector("#o_fc_triage")
        for summary in phone.locator("#o_fc_triage details summary").all():
            summary.click()
        # the section's title just below the sticky header
        phone.evaluate("document.getElementById('o_fc_triage').scrollIntoView(); window.scrollBy(0, -70)")
        phone.wait_for_timeout(300)
        phone.screenshot(path=OUT / "triage_phone.png", full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
