"""Booking page helpers that need no database: parse and check a posted slot, present slots.

Stored datetimes are naive UTC (Odoo's convention); presentation happens in one named time zone
(the company's). Nothing here reads the ORM, so it can be tested and reused on its own. The
date and time labels come from fusion_tasks/lib/time_labels.py and are re-exported here.
"""

import re
from datetime import datetime, timedelta

import babel.dates
import babel.numbers
import babel.units

from odoo.addons.fusion_tasks.lib.availability import local_day_bounds_utc  # noqa: F401  # pylint: disable=unused-import
from odoo.addons.fusion_tasks.lib.time_labels import (  # noqa: F401  # pylint: disable=unused-import
    babel_locale,
    format_day,
    format_day_date,
    format_time,
    format_window,
    is_french,
    timezone_label,
    to_local,
    window_parts,
)
from odoo.exceptions import UserError

# the client's booking page (no login: the contract's token is the key)
BOOKING_ROUTE = "/repairs/maintenance/book"
SLOT_FORMAT = "%Y-%m-%d %H:%M:%S"
_SLOT_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z", re.ASCII)

# Who changes a booking: the client from their link, or office staff.
BY_CLIENT = "client"
BY_OFFICE = "office"
# What a booking or a cancellation did.
BOOKED = "booked"
MOVED = "moved"
UNCHANGED = "unchanged"
CANCELLED = "cancelled"

# Reasons a posted slot is refused before any availability is computed.
SLOT_INVALID = "invalid"  # not a "YYYY-MM-DD HH:MM:SS" value (tampered)
SLOT_PAST = "past"  # already started
SLOT_TOO_SOON = "too_soon"  # inside the minimum notice
SLOT_TOO_FAR = "too_far"  # beyond the booking horizon
SLOT_OFF_GRID = "off_grid"  # not on the start-time grid (e.g. 9:07)


class BookingError(UserError):
    """A booking refused for a known ``reason`` (one of the ``SLOT_*`` values or "taken",
    "unavailable", "cutoff"...), so that a page can say why after a redirect."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def parse_slot_start(value):
    """Return the naive UTC datetime of a posted ``slot_start``, or None if it is malformed
    (exactly the form the page sends: ``strptime`` alone accepts one-digit fields, extra
    spaces and non-ASCII digits)."""
    if not isinstance(value, str) or not _SLOT_RE.match(value):
        return None
    try:
        return datetime.strptime(value, SLOT_FORMAT)
    except ValueError:
        return None


def format_slot_start(value):
    """The ``data-slot-start`` / form value of a naive UTC datetime."""
    return value.strftime(SLOT_FORMAT)


def check_slot_start(slot_start, now, tz_name, min_notice_hours=24, horizon_days=21, grid_minutes=30):
    """Cheap checks of a requested start (naive UTC) before availability is computed.

    Returns None when the start may be booked, else one of the ``SLOT_*`` reasons.
    ``min_notice_hours`` may be 0 (office override).
    """
    if slot_start is None:
        return SLOT_INVALID
    if slot_start <= now:
        return SLOT_PAST
    if slot_start < now + timedelta(hours=min_notice_hours or 0):
        return SLOT_TOO_SOON
    if slot_start >= now + timedelta(days=horizon_days):
        return SLOT_TOO_FAR
    local = to_local(slot_start, tz_name)
    grid = max(int(grid_minutes or 0), 1)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % grid:
        return SLOT_OFF_GRID
    return None


def end_sentence(text):
    """``text`` ending with exactly one full stop: "until 9:00 a.m." stays as it is."""
    text = (text or "").rstrip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def format_duration(hours, lang_code="en_CA"):
    """A visit length in words (Babel's unit names): "45 minutes", "1 hour", "1 hour 30 minutes",
    "2 hours"; in French "1 heure 30 minutes"."""
    locale = babel_locale(lang_code)
    total = max(round((hours or 0) * 60), 0)
    whole_hours, minutes = divmod(total, 60)
    parts = []
    if whole_hours:
        parts.append(babel.units.format_unit(whole_hours, "duration-hour", length="long", locale=locale))
    if minutes or not whole_hours:
        parts.append(babel.units.format_unit(minutes, "duration-minute", length="long", locale=locale))
    return " ".join(part.replace("\N{NO-BREAK SPACE}", " ") for part in parts)


def format_datetime_words(value, tz_name, lang_code="en_CA"):
    """ "Monday, November 23, 2026, 12:30 p.m. Eastern Time (Toronto)" (no nested brackets);
    in French "jeudi 3 décembre 2026 à 13 h, heure de l\N{RIGHT SINGLE QUOTATION MARK}Est (Toronto)"
    (the date and time joined as the locale's long format says)."""
    day = format_day(value, tz_name, lang_code)
    time = format_time(value, tz_name, lang_code)
    zone = timezone_label(tz_name, lang_code)
    if not is_french(lang_code):
        return "%s, %s %s" % (day, time, zone)
    pattern = babel.dates.get_datetime_format("long", locale=babel_locale(lang_code))
    joined = pattern.replace("{1}", day).replace("{0}", time).replace("'", "")
    return "%s, %s" % (joined, zone)


def format_money(amount, currency_code, lang_code="en_CA", symbol=None):
    """An amount for the client, written the way their language does: "$149.00", "149,00 $" (a
    no-break space before the French dollar sign). ``symbol``: the currency's own symbol, shown
    instead of the locale's ("$" rather than "US$" / "$ US")."""
    locale = babel_locale(lang_code)
    code = currency_code or "CAD"
    text = babel.numbers.format_currency(amount or 0.0, code, locale=locale)
    if symbol:
        text = text.replace(babel.numbers.get_currency_symbol(code, locale=locale), symbol, 1)
    return text


def arrival_window(start, minutes):
    """(start, end) of the arrival window promised to the client (naive UTC)."""
    return start, start + timedelta(minutes=int(minutes or 0))


def group_slots_by_day(slots, tz_name, lang_code="en_CA", arrival_minutes=60):
    """Group engine slots (dicts with a naive UTC ``start``) by local day, in order.

    Returns ``[{'date': date, 'label': str, 'slots': [{'value', 'start', 'label', 'window_label',
    'technician_ids'}]}]``.
    """
    days = []
    by_date = {}
    for slot in sorted(slots, key=lambda s: s["start"]):
        local_date = to_local(slot["start"], tz_name).date()
        day = by_date.get(local_date)
        if day is None:
            day = by_date[local_date] = {
                "date": local_date,
                "label": format_day(slot["start"], tz_name, lang_code),
                "slots": [],
            }
            days.append(day)
        _start, window_end = arrival_window(slot["start"], arrival_minutes)
        label = format_time(slot["start"], tz_name, lang_code)
        day["slots"].append(
            {
                "value": format_slot_start(slot["start"]),
                "start": slot["start"],
                "label": label,
                "window_label": format_window(slot["start"], window_end, tz_name, lang_code),
                "window_parts": window_parts(slot["start"], window_end, tz_name, lang_code),
                "technician_ids": list(slot.get("technician_ids") or []),
            }
        )
    return days


def first_name(full_name):
    """What the client will call the technician: the first word of the name."""
    return (full_name or "").strip().split(" ")[0] if full_name else ""
