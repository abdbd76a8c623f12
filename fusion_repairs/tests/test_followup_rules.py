"""The ORM-free office follow-up rules, tested alone (no database): which contracts need a
"call to book" or an "overdue maintenance" activity, by when, and when it is escalated."""

from datetime import date

from odoo.addons.fusion_repairs.lib.followup_rules import (
    BOOKED,
    NOT_ACTIVE,
    NOT_YET,
    QUALIFIES,
    SERVICED,
    days_overdue,
    escalation_date,
    last_reminder_date,
    overdue_deadline,
    overdue_status,
    parse_escalation_days,
    should_escalate,
    unbooked_deadline,
    unbooked_from,
    unbooked_status,
)
from odoo.tests import BaseCase, tagged

BANDS = (1, 7, 30)
DUE = date(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestFollowupRules(BaseCase):
    def test_call_to_book_starts_the_day_after_the_last_reminder(self):
        self.assertEqual(last_reminder_date(DUE, BANDS), date(2026, 3, 9))
        self.assertEqual(unbooked_from(DUE, BANDS), DUE, "bands 30,7,1: on the due date")
        self.assertEqual(unbooked_from(DUE, (30, 14)), date(2026, 2, 25), "bands 30,14: 13 days before")
        self.assertEqual(unbooked_status(date(2026, 3, 9), DUE, BANDS), NOT_YET, "the last reminder's own day")
        self.assertEqual(unbooked_status(DUE, DUE, BANDS), QUALIFIES)
        self.assertEqual(unbooked_status(date(2026, 2, 24), DUE, (14, 30)), NOT_YET)
        self.assertEqual(unbooked_status(date(2026, 2, 25), DUE, (14, 30)), QUALIFIES)
        self.assertEqual(unbooked_status(date(2026, 5, 1), DUE, BANDS), QUALIFIES, "still unbooked once overdue")

    def test_call_to_book_not_for_booked_or_inactive_contracts(self):
        today = date(2026, 3, 20)
        self.assertEqual(unbooked_status(today, DUE, BANDS, booked=True), BOOKED)
        self.assertEqual(unbooked_status(today, DUE, BANDS, active=False), NOT_ACTIVE)
        self.assertEqual(unbooked_status(today, None, BANDS), NOT_YET, "no due date, nothing to call about")

    def test_call_to_book_deadline_is_the_due_date(self):
        self.assertEqual(unbooked_deadline(DUE), DUE)

    def test_overdue_from_the_day_after_the_due_date(self):
        self.assertEqual(overdue_status(DUE, DUE), NOT_YET, "due today is not overdue")
        self.assertEqual(overdue_status(date(2026, 3, 11), DUE), QUALIFIES)
        self.assertEqual(days_overdue(date(2026, 3, 11), DUE), 1)
        self.assertEqual(days_overdue(date(2026, 3, 1), DUE), 0)

    def test_overdue_not_when_booked_serviced_or_inactive(self):
        today = date(2026, 4, 1)
        self.assertEqual(overdue_status(today, DUE, booked=True), BOOKED)
        self.assertEqual(overdue_status(today, DUE, active=False), NOT_ACTIVE)
        self.assertEqual(overdue_status(today, DUE, last_service=date(2026, 3, 12)), SERVICED, "visited since due")
        self.assertEqual(overdue_status(today, DUE, last_service=DUE), SERVICED)
        self.assertEqual(overdue_status(today, DUE, last_service=date(2025, 9, 10)), QUALIFIES, "last cycle's visit")

    def test_escalation_after_the_configured_days(self):
        self.assertEqual(escalation_date(DUE, 14), date(2026, 3, 24))
        self.assertFalse(should_escalate(date(2026, 3, 23), DUE, 14))
        self.assertTrue(should_escalate(date(2026, 3, 24), DUE, 14))
        self.assertTrue(should_escalate(date(2026, 6, 1), DUE, 14))
        for never in (0, None, -3):
            with self.subTest(days=never):
                self.assertIsNone(escalation_date(DUE, never))
                self.assertFalse(should_escalate(date(2027, 1, 1), DUE, never))

    def test_overdue_deadline_is_the_escalation_day(self):
        self.assertEqual(overdue_deadline(DUE, 14), date(2026, 3, 24))
        self.assertEqual(overdue_deadline(DUE, 0), date(2026, 3, 11), "no escalation: the first overdue day")

    def test_parse_escalation_days(self):
        self.assertEqual(parse_escalation_days("14"), 14)
        self.assertEqual(parse_escalation_days(" 3 "), 3)
        self.assertEqual(parse_escalation_days("0"), 0)
        self.assertEqual(parse_escalation_days("-5"), 0)
        for bad in ("", None, "two weeks", "1.5"):
            with self.subTest(value=bad):
                self.assertEqual(parse_escalation_days(bad), 14)
