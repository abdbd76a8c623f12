"""Fixtures of the fusion_repairs tests.

Every record is created here with unique names and codes, so that the results
never depend on demo data being installed or not.

``FusionRepairsCommon``: contracts, products and sales. ``BookingFixturesMixin`` (mixed into
TransactionCase / HttpCase classes): one qualified technician in Toronto, a stair-lift category
with a skill and a visit length, a client in the technician's zone and a contract; names carry
"H3" so that demo data never matches them, and the slot searches are restricted to the
fixtures' skill, so demo technicians never change a result. ``BookingHttpMixin``: the client's
pages as a browser sees them.
"""

import re
import uuid
from datetime import datetime, timedelta

import lxml.html
import pytz

from odoo import Command, fields
from odoo.addons.fusion_repairs.lib.booking_slots import BOOKING_ROUTE
from odoo.addons.fusion_tasks.tests.common import weekday_calendar
from odoo.tests import TransactionCase


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class FusionRepairsCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.company = cls.env.company
        cls.Contract = cls.env["fusion.repair.maintenance.contract"]
        cls.Category = cls.env["fusion.repair.product.category"]

        cls.skill = cls.env["fusion.technician.skill"].create(
            {
                "name": unique("Stair Lift Service"),
                "code": unique("SL"),
            }
        )
        cls.category = cls.Category.create(
            {
                "name": "Stair Lift (test)",
                "code": unique("stairlift"),
                "equipment_class": "lift_elevating",
                "safety_critical": True,
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": 6,
                "x_fc_maintenance_fee": 149.0,
                "x_fc_maintenance_skill_id": cls.skill.id,
                "x_fc_visit_duration_hours": 1.5,
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": unique("Margaret Test Client"),
                "email": "margaret.test@example.com",
                "phone": "+1 416-555-0111",
                "street": "12 Maple Avenue",
                "city": "Toronto",
                "zip": "M4C 1A1",
                "country_id": cls.env.ref("base.ca").id,
            }
        )
        cls.office_user = cls.env["res.users"].create(
            {
                "name": unique("Office Coordinator"),
                "login": unique("office"),
                "email": "office.test@example.com",
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("sales_team.group_sale_salesman").id,
                            cls.env.ref("stock.group_stock_user").id,
                        ]
                    )
                ],
            }
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": unique("Test Technician"),
                "login": unique("tech"),
                "email": "tech.test@example.com",
                "group_ids": [Command.set([cls.env.ref("fusion_tasks.group_fusion_technician").id])],
                "x_fc_is_technician": True,
                "x_fc_technician_skill_ids": [Command.set(cls.skill.ids)],
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _make_product(cls, **values):
        vals = {
            "name": unique("Stairlift Unit"),
            "type": "consu",
            "list_price": 4500.0,
            "x_fc_repair_category_id": cls.category.id,
        }
        vals.update(values)
        return cls.env["product.product"].create(vals)

    @classmethod
    def _make_order(cls, product, qty=1, commitment="2026-01-10 12:00:00", partner=None):
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.partner).id,
                "commitment_date": commitment,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
            }
        )

    @classmethod
    def _confirm_so(cls, product, qty=1, commitment="2026-01-10 12:00:00", partner=None):
        order = cls._make_order(product, qty=qty, commitment=commitment, partner=partner)
        order.action_confirm()
        return order

    def _contracts_for(self, order):
        return self.Contract.with_context(active_test=False).search(
            [("original_sale_order_id", "=", order.id)], order="id"
        )

    @classmethod
    def _make_contract(cls, partner=None, next_due_date=None, **values):
        vals = {
            "partner_id": (partner or cls.partner).id,
            "product_id": cls._make_product().id,
            "next_due_date": next_due_date or fields.Date.today() + timedelta(days=30),
            "user_id": cls.office_user.id,
        }
        vals.update(values)
        return cls.Contract.create(vals)

    @classmethod
    def _make_task(cls, contract, start=None, state="scheduled"):
        """A visit booked for ``contract`` (as the booking does: task linked on
        the contract)."""
        start = start or datetime.combine(contract.next_due_date, datetime.min.time()) + timedelta(hours=14)
        task = cls.env["fusion.technician.task"].create(
            {
                "task_type": "maintenance",
                "technician_id": cls.technician.id,
                "partner_id": contract.partner_id.id,
                "scheduled_start": start,
                "scheduled_end": start + timedelta(hours=1, minutes=30),
            }
        )
        if state != "scheduled":
            task.state = state
        contract.task_id = task
        return task


TORONTO = pytz.timezone("America/Toronto")
OFFICE_PHONE = "+1 416-555-0199"
# Monday 11 January 2027, 10:00 in Toronto: the next bookable day (24 h notice) is Tuesday.
FROZEN_NOW = "2027-01-11 15:00:00"


def toronto(*args):
    """Naive UTC datetime of a wall-clock time in Toronto: toronto(2027, 1, 12, 9)."""
    return TORONTO.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


def slot_value(value):
    return value.strftime("%Y-%m-%d %H:%M:%S")


class BookingFixturesMixin:
    """Mixed into TransactionCase / HttpCase classes."""

    @classmethod
    def _setup_booking_fixtures(cls):
        env = cls.env
        cls.company = env.company
        cls.company.write({"phone": OFFICE_PHONE, "email": "office-h3@example.com"})
        cls.company.partner_id.tz = "America/Toronto"
        params = env["ir.config_parameter"].sudo()
        for key, value in {
            "fusion_tasks.travel_buffer_minutes": "30",
            "fusion_repairs.booking_horizon_days": "21",
            "fusion_repairs.booking_min_notice_hours": "24",
            "fusion_repairs.booking_grid_minutes": "30",
            "fusion_repairs.booking_cutoff_hours": "24",
            "fusion_repairs.arrival_window_minutes": "60",
        }.items():
            params.set_param(key, value)
        cls.work_calendar = weekday_calendar(env, "H3 9-17 Toronto", cls.company)
        cls.skill = env["fusion.technician.skill"].create({"name": "H3 Stair lift service", "code": "H3-STAIR"})
        cls.zone = env["fusion.service.zone"].create({"name": "H3 Toronto East", "postal_prefixes": "M4"})
        cls.technician = cls._create_booking_technician("Samuel Tremblay H3")
        cls.category = env["fusion.repair.product.category"].create(
            {
                "name": "H3 Stair Lift",
                "code": "H3-SL",
                "equipment_class": "lift_elevating",
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": 6,
                "x_fc_maintenance_fee": 149.0,
                "x_fc_maintenance_skill_id": cls.skill.id,
                "x_fc_visit_duration_hours": 1.5,
            }
        )
        cls.product = env["product.product"].create(
            {"name": "H3 Freecurve Stair Lift", "type": "consu", "x_fc_repair_category_id": cls.category.id}
        )
        cls.client = cls._create_booking_client("H3 Margaret Wilson", "margaret.h3@example.com")
        cls.contract = cls._create_booking_contract(cls.client, serial="SL-H3-0001")

    @classmethod
    def _create_booking_technician(cls, name, skills=None, zones=None):
        user = cls.env["res.users"].create(
            {
                "name": name,
                "login": name.lower().replace(" ", ".") + "@h3-tech.example.com",
                "email": name.lower().replace(" ", ".") + "@h3-tech.example.com",
                "tz": "America/Toronto",
                "group_ids": [Command.link(cls.env.ref("fusion_tasks.group_fusion_technician").id)],
                "x_fc_is_technician": True,
                "x_fc_technician_skill_ids": [Command.set((skills if skills is not None else cls.skill).ids)],
                "x_fc_service_zone_ids": [Command.set((zones if zones is not None else cls.zone).ids)],
            }
        )
        user.resource_calendar_id = cls.work_calendar
        return user

    @classmethod
    def _create_booking_client(cls, name, email, zip_code="M4B 1B3"):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "street": "12 Queen St E",
                "city": "Toronto",
                "zip": zip_code,
                "country_id": cls.env.ref("base.ca").id,
                "phone": "+1 416 555 0100",
                "email": email,
            }
        )

    @classmethod
    def _create_serial_tracked_product(cls):
        return cls.env["product.product"].create(
            {
                "name": "H3 Tracked Lift",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "x_fc_repair_category_id": cls.category.id,
            }
        )

    @classmethod
    def _create_booking_contract(cls, partner, serial=None, product=None, **values):
        return cls.env["fusion.repair.maintenance.contract"].create(
            {
                "partner_id": partner.id,
                "product_id": (product or cls.product).id,
                "x_fc_device_serial": serial,
                "next_due_date": "2027-01-25",
                "company_id": cls.company.id,
                **values,
            }
        )

    def _book(self, contract, slot_start, **kwargs):
        """Book through the one door (as the office by default) and return the visit's task."""
        result = contract.book_slot(slot_start, **kwargs)
        return self.env["fusion.technician.task"].browse(result["task_id"])

    # ------------------------------------------------------------------
    # What a user would notice
    # ------------------------------------------------------------------

    def _booking_records(self, contracts=None):
        """Tasks, calendar events and repair orders that exist for ``contracts``."""
        contracts = contracts or self.contract
        env = self.env
        return {
            "tasks": env["fusion.technician.task"]
            .with_context(active_test=False)
            .search([("maintenance_contract_id", "in", contracts.ids)]),
            "events": env["calendar.event"]
            .with_context(active_test=False)
            .search([("res_model", "=", contracts._name), ("res_id", "in", contracts.ids)]),
            "repairs": env["repair.order"].search([("partner_id", "in", contracts.partner_id.ids)]),
        }

    def _booking_snapshot(self, contracts=None):
        """Everything a booking could change, to prove that nothing did."""
        contracts = contracts or self.contract
        # pending tracking messages first, so that only what the booking did is counted
        self.env.flush_all()
        self.env.cr.precommit.run()
        records = self._booking_records(contracts)
        self.env.invalidate_all()
        return {
            "tasks": [(t.id, t.state, t.scheduled_start, t.technician_id.id) for t in records["tasks"]],
            "events": [(e.id, e.active, e.start) for e in records["events"]],
            "repairs": [(r.id, r.state, r.schedule_date) for r in records["repairs"]],
            "contracts": [
                (c.id, c.task_id.id, c.calendar_event_id.id, c.repair_order_id.id, c.is_booked, c.booking_token)
                for c in contracts
            ],
            "messages": len(contracts.message_ids),
        }


class BookingHttpMixin(BookingFixturesMixin):
    """Page helpers for HttpCase classes."""

    def _page_url(self, token, suffix=""):
        return f"{BOOKING_ROUTE}/{token}{suffix}"

    def _open(self, token, suffix="", **kwargs):
        return self.url_open(self._page_url(token, suffix), **kwargs)

    @staticmethod
    def _doc(response):
        return lxml.html.fromstring(response.content)

    @staticmethod
    def _slot_starts(doc):
        return [node.get("data-slot-start") for node in doc.xpath("//input[@name='slot_start']")]

    @staticmethod
    def _enabled_slot_starts(doc):
        return [
            node.get("data-slot-start")
            for node in doc.xpath("//input[@name='slot_start']")
            if node.get("disabled") is None
        ]

    @staticmethod
    def _csrf(doc, form_class="o_fc_booking_form"):
        values = doc.xpath(f"//form[contains(@class, '{form_class}')]//input[@name='csrf_token']/@value")
        return values[0] if values else None

    @staticmethod
    def _text(doc, css_class):
        return " ".join(" ".join(node.text_content().split()) for node in doc.find_class(css_class))

    @staticmethod
    def _page_text(response):
        return " ".join(lxml.html.fromstring(response.content).text_content().split())

    @staticmethod
    def _seen_booking(doc):
        """The booking form's ``booked_slot_start``: the visit the page shows ("" when none)."""
        values = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//input[@name='booked_slot_start']")
        return values[0].get("value", "") if values else None

    def _confirm(self, token, slot_start, csrf_token, booked_slot_start=None, **kwargs):
        data = {"slot_start": slot_start}
        if csrf_token is not None:
            data["csrf_token"] = csrf_token
        if booked_slot_start is not None:
            data["booked_slot_start"] = booked_slot_start
        return self._open(token, "/confirm", data=data, **kwargs)

    def _cancel(self, token, csrf_token, **kwargs):
        data = {"csrf_token": csrf_token} if csrf_token is not None else {"dummy": "1"}
        return self._open(token, "/cancel", data=data, **kwargs)

    def _book_first_slot(self, contract=None, day=None):
        """Open the page of ``contract`` and book its first free time (on the local ``day``
        label, e.g. "Wednesday"), as a client would."""
        contract = contract or self.contract
        doc = self._doc(self._open(contract.booking_token))
        if day:
            fieldset = next(f for f in doc.find_class("o_fc_booking_day") if day in f.text_content())
            slot = fieldset.xpath(".//input[@name='slot_start']")[0].get("data-slot-start")
        else:
            slot = self._enabled_slot_starts(doc)[0]
        response = self._confirm(contract.booking_token, slot, self._csrf(doc), self._seen_booking(doc))
        return slot, response

    @staticmethod
    def _links(html):
        return re.findall(r'href="([^"]*/repairs/maintenance/book/[^"]+)"', str(html))
