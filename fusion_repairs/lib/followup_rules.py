"""Office follow-up (SPEC flow 7): which maintenance contracts need a call from the office,
and by when. ORM-free on purpose, so that the date rules are tested alone.

Two daily jobs, each with its own activity on the contract:

- **Unbooked** ("Call to book maintenance"): an active contract with no booked visit whose
  last reminder day has passed, i.e. from the day after ``due - min(bands)`` (bands 30,7,1 and
  due on the 10th: from the 10th; bands 30,14: from the 27th of the month before). Deadline: the
  due date (call before the visit is due).
- **Overdue** ("Overdue maintenance"): an active contract with no booked visit, past its due
  date and not serviced since (``last_service`` before the due date, or none). Assigned to the
  contract's responsible; after ``escalation_days`` days overdue (0 = never) it goes to the
  "escalate to" user. Deadline: the day it is escalated (the first overdue day without
  escalation).

A contract that stops qualifying (booked, paused, cancelled, serviced, due date moved) has its
open activity closed with the reason returned by :func:`unbooked_status` /
:func:`overdue_status`.
"""

from datetime import timedelta

UNBOOKED = "unbooked"
OVERDUE = "overdue"
KINDS = (UNBOOKED, OVERDUE)

DEFAULT_ESCALATION_DAYS = 14

# why a contract does not (or no longer) need the follow-up
QUALIFIES = "qualifies"
NOT_ACTIVE = "not_active"
BOOKED = "booked"
NOT_YET = "not_yet"
SERVICED = "serviced"


def last_reminder_date(due, bands):
    """The day of the last (most urgent) reminder band of the cycle due on ``due``."""
    return due - timedelta(days=min(bands))


def unbooked_from(due, bands):
    """First day on which an unbooked contract due on ``due`` needs a call: the day after
    its last reminder."""
    return last_reminder_date(due, bands) + timedelta(days=1)


def unbooked_status(today, due, bands, *, active=True, booked=False):
    """``QUALIFIES`` when the contract needs a "call to book", else why not."""
    if not active:
        return NOT_ACTIVE
    if booked:
        return BOOKED
    if not due or today < unbooked_from(due, bands):
        return NOT_YET
    return QUALIFIES


def unbooked_deadline(due):
    """Deadline of the "call to book" activity: the due date."""
    return due


def overdue_status(today, due, *, active=True, booked=False, last_service=None):
    """``QUALIFIES`` when the contract is overdue with no visit, else why not."""
    if not active:
        return NOT_ACTIVE
    if booked:
        return BOOKED
    if last_service and due and last_service >= due:
        return SERVICED
    if not due or today <= due:
        return NOT_YET
    return QUALIFIES


def days_overdue(today, due):
    """Whole days past the due date (0 on the due date itself or before)."""
    return max((today - due).days, 0)


def escalation_date(due, escalation_days):
    """The day an overdue contract goes to the "escalate to" user, or None (never)."""
    if not escalation_days or escalation_days < 0:
        return None
    return due + timedelta(days=escalation_days)


def should_escalate(today, due, escalation_days):
    """Whether an overdue contract has been overdue long enough to be escalated."""
    escalate_on = escalation_date(due, escalation_days)
    return bool(escalate_on) and today >= escalate_on


def overdue_deadline(due, escalation_days):
    """Deadline of the "overdue maintenance" activity: the escalation day, or the first
    overdue day when there is no escalation."""
    return escalation_date(due, escalation_days) or due + timedelta(days=1)


def parse_escalation_days(value, default=DEFAULT_ESCALATION_DAYS):
    """``"14"`` -> 14; an empty or unreadable value gives ``default``; negative -> 0."""
    try:
        return max(int(str(value).strip()), 0)
    except (TypeError, ValueError):
        return default
