from contextlib import contextmanager
from datetime import datetime

import pytz

from odoo.fields import Command
from odoo.tests import TransactionCase

TORONTO = pytz.timezone("America/Toronto")


def toronto(*args):
    """Naive UTC datetime of a wall-clock time in Toronto: toronto(2026, 11, 2, 9)."""
    return TORONTO.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


def weekday_calendar(env, name, company, hour_from=9, hour_to=17, tz="America/Toronto"):
    """Working hours Monday to Friday, ``hour_from``-``hour_to`` in ``tz``, no lunch break."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "company_id": company.id,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "full_day",
                    }
                )
                for day in range(5)
            ],
        }
    )


class FusionTasksCase(TransactionCase):
    """Technicians working 9:00-17:00 Monday to Friday in Toronto (no lunch
    break), a skill, a service zone, a client; travel buffer 30 minutes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True, no_mail_to_attendees=True)
        )
        cls.company = cls.env.company
        cls.company.partner_id.tz = "America/Toronto"
        cls.env["ir.config_parameter"].sudo().set_param("fusion_tasks.travel_buffer_minutes", "30")
        cls.calendar = weekday_calendar(cls.env, "FT test 9-17 Toronto", cls.company)
        cls.skill = cls.env["fusion.technician.skill"].create({"name": "FT Stair lifts", "code": "FT-STAIR"})
        cls.other_skill = cls.env["fusion.technician.skill"].create({"name": "FT Beds", "code": "FT-BED"})
        cls.zone = cls.env["fusion.service.zone"].create({"name": "FT Toronto East", "postal_prefixes": "M4, L6A"})
        cls.other_zone = cls.env["fusion.service.zone"].create({"name": "FT Ottawa", "postal_prefixes": "K1"})
        cls.tech_1 = cls._create_technician("FT Alice")
        cls.tech_2 = cls._create_technician("FT Bob")
        cls.client = cls.env["res.partner"].create(
            {
                "name": "FT Client Margaret",
                "street": "12 Queen St E",
                "city": "Toronto",
                "zip": "M4B 1B3",
                "phone": "+1 416 555 0100",
                "email": "margaret@example.com",
            }
        )

    @classmethod
    def _create_technician(
        cls, name, skills=None, zones=None, calendar=None, groups=("fusion_tasks.group_fusion_technician",)
    ):
        user = cls.env["res.users"].create(
            {
                "name": name,
                "login": name.lower().replace(" ", "_") + "@ft.example.com",
                "tz": "America/Toronto",
                "group_ids": [Command.link(cls.env.ref(group).id) for group in groups],
                "x_fc_is_technician": True,
                "x_fc_technician_skill_ids": [Command.set((skills if skills is not None else cls.skill).ids)],
                "x_fc_service_zone_ids": [Command.set((zones if zones is not None else cls.zone).ids)],
            }
        )
        user.resource_calendar_id = calendar or cls.calendar
        return user

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back to a savepoint, unlike
        assertRaisesRegex) and check the message shown to the user."""
        with self.assertRaises(exception) as capture:
            yield capture
        self.assertIn(text, str(capture.exception))

    def _create_task(self, technician, start, end, **values):
        return self.env["fusion.technician.task"].create(
            {
                "technician_id": technician.id,
                "partner_id": self.client.id,
                "scheduled_start": start,
                "scheduled_end": end,
                **values,
            }
        )

    def _slots(self, now, **kwargs):
        kwargs.setdefault("min_notice_hours", 0)
        kwargs.setdefault("horizon_days", 7)
        return self.env["fusion.technician.task"]._get_bookable_slots(now=now, **kwargs)

    @staticmethod
    def _starts(slots, technician=None, day=None):
        """Slot starts (naive UTC), optionally those a technician can take / on a UTC date."""
        return [
            slot["start"]
            for slot in slots
            if (technician is None or technician.id in slot["technician_ids"])
            and (day is None or slot["start"].date() == day)
        ]
