"""The Maintenance Overview: the office's headline figures, each with the records behind it.

Sources (see docs/architecture.md, "Maintenance Overview"):
- units sold: confirmed sale lines (state ``sale``) of maintainable products, in whole units;
  under contract: active contracts;
- reminders: ``fusion.repair.maintenance.reminder.log`` (one row per reminder emailed, with
  its band; ``booked`` when a visit was booked after it, before any other reminder);
- bookings: maintenance tasks by ``booked_by`` (client link or office), by creation date;
- visits: ``timeliness`` of visits dated in the period (due date kept at booking);
- revenue: untaxed amounts of confirmed sales orders (not invoices), company currency, from
  ``fusion.repair.maintenance.report`` (visit orders by visit date, plan lines by order date).
"""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount, format_date

from ..lib import units
from .maintenance_contract import OFFICE_GROUPS

PERIOD_MONTHS = 12
CONTRACT = "fusion.repair.maintenance.contract"
VISIT = "fusion.repair.maintenance.visit"
REMINDER = "fusion.repair.maintenance.reminder.log"
SUBSCRIPTION = "fusion.repair.service.plan.subscription"
REPORT = "fusion.repair.maintenance.report"
SALES_GROUP = "sales_team.group_sale_salesman"
# money and sales: for sales staff only (inventory users may read sale lines through sale_stock)
SALES_FIGURES = frozenset({"units_sold", "visit_revenue", "plan_revenue"})


class FusionRepairMaintenanceOverview(models.AbstractModel):
    _name = "fusion.repair.maintenance.overview"
    _description = "Maintenance Overview"

    # ------------------------------------------------------------------
    # Access and period
    # ------------------------------------------------------------------

    @api.model
    def _check_overview_access(self):
        """Office staff only (sales, inventory, dispatch): others get an ``AccessError``."""
        if self.env.su:
            return
        user = self.env.user
        if not user.has_groups(OFFICE_GROUPS):
            raise AccessError(self.env._("The maintenance overview is for office staff."))

    @api.model
    def _get_overview_period(self, today=None):
        """(first day, today): the current month and the eleven before it."""
        today = today or fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=PERIOD_MONTHS - 1), today

    # ------------------------------------------------------------------
    # Domains: one per figure (the action opens exactly these records)
    # ------------------------------------------------------------------

    @api.model
    def _maintainable_sale_line_domain(self):
        return [
            ("state", "=", "sale"),
            ("display_type", "=", False),
            "|",
            ("product_id.product_tmpl_id.x_fc_maintenance_interval_months", ">", 0),
            "&",
            ("product_id.product_tmpl_id.x_fc_repair_category_id.x_fc_maintenance_enabled", "=", True),
            ("product_id.product_tmpl_id.x_fc_repair_category_id.x_fc_maintenance_interval_months", ">", 0),
        ]

    @api.model
    def _overview_domains(self, today=None):
        """``{key: (model, domain)}`` of every figure."""
        start, today = self._get_overview_period(today)
        start_s, today_s = fields.Date.to_string(start), fields.Date.to_string(today)
        start_dt = fields.Datetime.to_string(datetime.combine(start, time.min))
        renewal_days = self.env[SUBSCRIPTION]._get_renewal_days()
        domains = {
            "units_sold": ("sale.order.line", self._maintainable_sale_line_domain()),
            "units_under_contract": (CONTRACT, [("state", "=", "active")]),
            "units_sold_covered": (
                CONTRACT,
                [("state", "=", "active"), ("x_fc_source", "=", "sale"), ("x_fc_source_sale_line_id", "!=", False)],
            ),
            "bookings_online": (
                VISIT,
                [("booked_by", "=", "client"), ("create_date", ">=", start_dt), ("state", "!=", "cancelled")],
            ),
            "bookings_office": (
                VISIT,
                [("booked_by", "=", "office"), ("create_date", ">=", start_dt), ("state", "!=", "cancelled")],
            ),
            "out_of_service": (CONTRACT, [("x_fc_out_of_service", "=", True), ("state", "!=", "cancelled")]),
            "overdue": (CONTRACT, [("state", "=", "active"), ("next_due_date", "<", today_s)]),
            "active_plans": (SUBSCRIPTION, [("state", "=", "active")]),
            "renewals_due": (
                SUBSCRIPTION,
                [
                    ("state", "=", "active"),
                    ("date_end", ">=", today_s),
                    ("date_end", "<=", fields.Date.to_string(today + timedelta(days=renewal_days))),
                ],
            ),
            "plan_revenue": (
                "sale.order.line",
                [
                    ("state", "=", "sale"),
                    (
                        "product_id",
                        "in",
                        self.env["fusion.repair.service.plan"]
                        .sudo()
                        .with_context(active_test=False)
                        .search([])
                        .product_id.ids,
                    ),
                    ("order_id.date_order", ">=", start_dt),
                    ("company_id", "=", self.env.company.id),
                ],
            ),
        }
        for key in ("on_time", "late", "not_done"):
            domains[f"visits_{key}"] = (
                VISIT,
                [("timeliness", "=", key), ("visit_date", ">=", start_s), ("visit_date", "<=", today_s)],
            )
        for band in self._overview_bands(start_dt):
            sent = [("band", "=", band), ("sent_on", ">=", start_dt)]
            domains[f"reminders_{band}"] = (REMINDER, sent)
            domains[f"reminders_{band}_booked"] = (REMINDER, [*sent, ("booked", "=", True)])
        visits = (
            self.env[VISIT]
            .sudo()
            .search(
                [
                    ("state", "=", "done"),
                    ("visit_date", ">=", start_s),
                    ("visit_date", "<=", today_s),
                    ("sale_order_id.state", "=", "sale"),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        domains["visit_revenue"] = ("sale.order", [("id", "in", visits.sale_order_id.ids)])
        return domains

    @api.model
    def _overview_bands(self, start_dt):
        """The configured bands, and any other band sent in the period (most distant first)."""
        bands = set(self.env[CONTRACT]._get_reminder_bands())
        sent = self.env[REMINDER].sudo()._read_group([("sent_on", ">=", start_dt)], ["band"])
        bands.update(band for (band,) in sent)
        return sorted(bands, reverse=True)

    # ------------------------------------------------------------------
    # The figures
    # ------------------------------------------------------------------

    @api.model
    def get_overview_figures(self):
        """Everything the dashboard shows, for office staff (``AccessError`` otherwise).

        Read as the user (record rules and companies apply); a figure whose records the user
        may not read is left out. ``{"period": {...}, "currency_id", "figures": {key: {value,
        display, action}}, "sections": [...], "months": [...]}``."""
        self._check_overview_access()
        start, today = self._get_overview_period()
        company = self.env.company
        currency = company.currency_id
        domains = self._overview_domains(today)
        sales = self.env.su or self.env.user.has_group(SALES_GROUP)
        figures = {}
        for key, (model, domain) in domains.items():
            Model = self.env[model]
            if not Model.has_access("read") or (key in SALES_FIGURES and not sales):
                continue
            figures[key] = {
                "model": model,
                "domain": domain,
                "value": self._overview_value(key, Model, domain),
            }
        for key, figure in figures.items():
            money = key.endswith("_revenue")
            figure["display"] = format_amount(self.env, figure["value"], currency) if money else str(figure["value"])
            figure["action"] = self._overview_action(key, figure["model"], figure["domain"])
        return {
            "period": {
                "start": fields.Date.to_string(start),
                "end": fields.Date.to_string(today),
                "label": self.env._(
                    "Last %(months)s months, %(start)s to %(end)s",
                    months=PERIOD_MONTHS,
                    start=format_date(self.env, start),
                    end=format_date(self.env, today),
                ),
            },
            "currency_id": currency.id,
            "can_analyse": sales and self.env[REPORT].has_access("read"),
            "figures": figures,
            "sections": self._overview_sections(figures),
            "months": self._overview_revenue(start, today)["months"] if sales else [],
        }

    @api.model
    def _overview_value(self, key, Model, domain):
        if key == "units_sold":
            lines = Model.search(domain)
            return sum(
                units.whole_units(
                    line.product_uom_id._compute_quantity(line.product_uom_qty, line.product_id.uom_id, round=False)
                )
                for line in lines
            )
        if key == "visit_revenue":
            # untaxed, in the company's currency (as the analysis report and sale.report)
            return sum(order.amount_untaxed / (order.currency_rate or 1.0) for order in Model.search(domain))
        if key == "plan_revenue":
            return sum(line.price_subtotal / (line.order_id.currency_rate or 1.0) for line in Model.search(domain))
        return Model.search_count(domain)

    @api.model
    def _overview_revenue(self, start, today):
        """Visit and plan revenue of the period, and per month, from the analysis report."""
        Report = self.env[REPORT]
        if not Report.has_access("read"):
            return {"visit": 0.0, "plan": 0.0, "months": []}
        domain = [
            ("kind", "in", ("visit", "plan")),
            ("date", ">=", fields.Date.to_string(start)),
            ("date", "<=", fields.Date.to_string(today)),
            ("company_id", "=", self.env.company.id),
        ]
        groups = Report._read_group(domain, ["date:month"], ["visit_revenue:sum", "plan_revenue:sum"])
        by_month = {month.date() if hasattr(month, "date") else month: (visit, plan) for month, visit, plan in groups}
        months, day = [], start
        peak = max([max(visit, plan) for visit, plan in by_month.values()] or [0.0]) or 1.0
        currency = self.env.company.currency_id
        while day <= today:
            visit, plan = by_month.get(day, (0.0, 0.0))
            months.append(
                {
                    "month": fields.Date.to_string(day),
                    "label": format_date(self.env, day, date_format="MMM"),
                    "visit": visit,
                    "plan": plan,
                    "visit_display": format_amount(self.env, visit, currency),
                    "plan_display": format_amount(self.env, plan, currency),
                    "visit_pct": round(100 * visit / peak),
                    "plan_pct": round(100 * plan / peak),
                }
            )
            day += relativedelta(months=1)
        return {
            "visit": sum(month["visit"] for month in months),
            "plan": sum(month["plan"] for month in months),
            "months": months,
        }

    @api.model
    def _overview_action(self, key, model, domain):
        names = {
            "units_sold": self.env._("Maintainable Units Sold"),
            "units_under_contract": self.env._("Units under Contract"),
            "units_sold_covered": self.env._("Sold Units under Contract"),
            "bookings_online": self.env._("Visits Booked Online"),
            "bookings_office": self.env._("Visits Booked by the Office"),
            "visits_on_time": self.env._("Visits Done on Time"),
            "visits_late": self.env._("Visits Done Late"),
            "visits_not_done": self.env._("Visits Not Done"),
            "out_of_service": self.env._("Units out of Service"),
            "overdue": self.env._("Overdue Contracts"),
            "active_plans": self.env._("Active Service Plans"),
            "renewals_due": self.env._("Service Plan Renewals Due"),
            "visit_revenue": self.env._("Visit Orders"),
            "plan_revenue": self.env._("Service Plan Sales"),
        }
        name = names.get(key)
        if not name and key.startswith("reminders_"):
            band = key.split("_")[1]
            name = (
                self.env._("%s-Day Reminders Followed by a Booking", band)
                if key.endswith("_booked")
                else self.env._("%s-Day Reminders Sent", band)
            )
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": domain,
            "views": [[False, "list"], [False, "form"]],
            "context": {"create": False},
            "target": "current",
        }

    @api.model
    def _overview_sections(self, figures):
        """Cards grouped in sections; a card shows a main figure and small linked ones."""

        def card(title, key, caption="", subs=(), icon="fa-circle-o", tone="primary"):
            if key not in figures:
                return None
            return {
                "key": key,
                "title": title,
                "caption": caption,
                "icon": icon,
                "tone": tone,
                "subs": [{"key": sub_key, "label": label} for sub_key, label in subs if sub_key in figures],
            }

        _ = self.env._
        sold = figures.get("units_sold", {}).get("value")
        covered = figures.get("units_sold_covered", {}).get("value")
        coverage = (
            _("%s%% of the units sold are under contract", min(100, round(100 * covered / sold)))
            if sold and covered is not None
            else ""
        )
        bands = [
            int(key.split("_")[1]) for key in figures if key.startswith("reminders_") and not key.endswith("_booked")
        ]
        reminder_cards = []
        for band in sorted(bands, reverse=True):
            sent = figures[f"reminders_{band}"]["value"]
            booked = figures.get(f"reminders_{band}_booked", {}).get("value", 0)
            rate = _("%s%% led to a booking", round(100 * booked / sent)) if sent else _("none sent yet")
            reminder_cards.append(
                card(
                    _("%s-day reminders", band),
                    f"reminders_{band}",
                    rate,
                    [(f"reminders_{band}_booked", _("visits booked"))],
                    icon="fa-envelope-o",
                )
            )
        online = figures.get("bookings_online", {}).get("value") or 0
        office = figures.get("bookings_office", {}).get("value") or 0
        share = _("%s%% of all bookings", round(100 * online / (online + office))) if online + office else ""
        sections = [
            {
                "key": "coverage",
                "title": _("Coverage"),
                "cards": [
                    card(
                        _("Units under contract"),
                        "units_under_contract",
                        coverage,
                        [
                            ("units_sold", _("maintainable units sold")),
                            ("units_sold_covered", _("sold units under contract")),
                        ],
                        icon="fa-shield",
                    ),
                    card(
                        _("Units out of service"),
                        "out_of_service",
                        _("failed a safety check"),
                        icon="fa-ban",
                        tone="danger" if figures.get("out_of_service", {}).get("value") else "success",
                    ),
                    card(
                        _("Overdue contracts"),
                        "overdue",
                        _("past their due date"),
                        icon="fa-clock-o",
                        tone="warning" if figures.get("overdue", {}).get("value") else "success",
                    ),
                ],
            },
            {
                "key": "reminders",
                "title": _("Reminders and bookings"),
                "cards": [
                    *reminder_cards,
                    card(
                        _("Booked online"),
                        "bookings_online",
                        share,
                        [("bookings_office", _("booked by the office"))],
                        icon="fa-globe",
                    ),
                ],
            },
            {
                "key": "visits",
                "title": _("Visits"),
                "cards": [
                    card(_("Done on time"), "visits_on_time", _("by the due date"), icon="fa-check", tone="success"),
                    card(
                        _("Done late"), "visits_late", _("after the due date"), icon="fa-hourglass-end", tone="warning"
                    ),
                    card(
                        _("Not done"),
                        "visits_not_done",
                        _("closed as not done on site"),
                        icon="fa-times",
                        tone="danger",
                    ),
                ],
            },
            {
                "key": "revenue",
                "title": _("Revenue"),
                "cards": [
                    card(_("Visit revenue"), "visit_revenue", _("confirmed visit orders, untaxed"), icon="fa-wrench"),
                    card(
                        _("Plan revenue"),
                        "plan_revenue",
                        _("confirmed plan sales and renewals, untaxed"),
                        icon="fa-refresh",
                    ),
                    card(
                        _("Active service plans"),
                        "active_plans",
                        _("pre-paid visits"),
                        [("renewals_due", _("renewals due"))],
                        icon="fa-calendar-check-o",
                    ),
                ],
            },
        ]
        for section in sections:
            section["cards"] = [c for c in section["cards"] if c]
        return [section for section in sections if section["cards"]]
