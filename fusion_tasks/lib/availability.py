"""Availability arithmetic, free of the ORM.

Everything here works on ``odoo.tools.intervals.Intervals`` of timezone-aware
datetimes, whose records part is always an empty frozenset.  The model
(``fusion.technician.task``) reads working time, tasks and meetings from the
database; this module turns them into free gaps and bookable start times:

* ``free_intervals``: working time minus busy time, each busy interval widened
  by a travel buffer, expressed in UTC;
* ``bookable_starts``: the start times on a grid of N minutes counted from
  midnight in a given time zone (so 9:00 and 9:30 local on both sides of a
  daylight saving change), at or after ``earliest``, before ``latest``, such
  that the whole visit fits in one gap; with the keys (technicians) of every
  gap where it fits.

The grid is computed on integer POSIX timestamps with a table of the time
zone's UTC offsets, so that a month of slots for twenty technicians costs a few
``range()`` calls instead of thousands of time zone conversions.
"""

import bisect
import math
from collections import defaultdict
from datetime import datetime, timedelta

import pytz

from odoo.tools.intervals import Intervals

NO_RECORDS = frozenset()
UTC = pytz.utc
# a time zone changes its offset at most once in this span (DST rules)
_PROBE_STEP = 6 * 3600


def get_tz(tz):
    """A tzinfo from a tzinfo or a zone name ('America/Toronto')."""
    if isinstance(tz, str):
        return pytz.timezone(tz)
    return tz or UTC


def as_utc(value):
    """A UTC-aware datetime from an aware one, or from a naive one taken as UTC
    (Odoo stores naive UTC)."""
    if value.tzinfo is None:
        return UTC.localize(value)
    return value.astimezone(UTC)


def to_naive_utc(value):
    return as_utc(value).replace(tzinfo=None)


def make_intervals(pairs):
    """Intervals from ``(start, stop)`` pairs; empty pairs are dropped and
    overlapping or touching ones merged."""
    return Intervals([(start, stop, NO_RECORDS) for start, stop in pairs if start < stop])


def to_utc(intervals):
    """The same intervals (of any aware tz), in UTC, without their records."""
    return make_intervals((start.astimezone(UTC), stop.astimezone(UTC)) for start, stop, _records in intervals)


def widen(pairs, buffer):
    """Each ``(start, stop)`` pair extended by ``buffer`` on both sides."""
    if not buffer:
        return list(pairs)
    return [(start - buffer, stop + buffer) for start, stop in pairs]


def free_intervals(work, busy_pairs, buffer=timedelta(0)):
    """Working intervals minus busy pairs widened by ``buffer``, in UTC."""
    free = to_utc(work)
    if busy_pairs:
        free = free - make_intervals(
            (start.astimezone(UTC), stop.astimezone(UTC)) for start, stop in widen(busy_pairs, buffer)
        )
    return free


def clip(intervals, start, stop):
    """The part of ``intervals`` between ``start`` and ``stop``."""
    return intervals & make_intervals([(start, stop)])


def total_seconds(intervals):
    return sum((stop - start).total_seconds() for start, stop, _records in intervals)


class OffsetTable:
    """UTC offsets of a time zone over a period, as sorted transitions, so
    that the offset at a POSIX timestamp is a bisection away."""

    def __init__(self, tz, start_ts, stop_ts):
        self.tz = get_tz(tz)
        self.times = []  # timestamps where a new offset starts
        self.offsets = []  # offset (seconds) valid from times[i]
        start_ts = math.floor(start_ts) - 1
        stop_ts = math.ceil(stop_ts) + 1
        previous = self._offset(start_ts)
        self.times.append(start_ts)
        self.offsets.append(previous)
        probe = start_ts
        while probe < stop_ts:
            nxt = min(probe + _PROBE_STEP, stop_ts)
            offset = self._offset(nxt)
            if offset != previous:
                # the change happened in (probe, nxt]: find its first second
                low, high = probe, nxt
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._offset(middle) == previous:
                        low = middle
                    else:
                        high = middle
                self.times.append(high)
                self.offsets.append(offset)
                previous = offset
            probe = nxt

    def _offset(self, ts):
        return int(datetime.fromtimestamp(ts, UTC).astimezone(self.tz).utcoffset().total_seconds())

    def offset_at(self, ts):
        return self.offsets[bisect.bisect_right(self.times, ts) - 1]

    def pieces(self, low, high):
        """Split ``[low, high]`` where the offset changes: ``(low, high, offset)``."""
        index = bisect.bisect_right(self.times, low) - 1
        while True:
            offset = self.offsets[index]
            if index + 1 < len(self.times) and self.times[index + 1] <= high:
                yield low, self.times[index + 1] - 1, offset
                index += 1
                low = self.times[index]
            else:
                yield low, high, offset
                return


def align_up(value, grid_minutes, tz):
    """The first grid point at or after ``value`` (aware), the grid counting
    ``grid_minutes`` from midnight in ``tz``. Returned in UTC."""
    ts = math.ceil(as_utc(value).timestamp())
    offset = int(value.astimezone(get_tz(tz)).utcoffset().total_seconds())
    grid = int(grid_minutes * 60)
    return datetime.fromtimestamp(ts + (-(ts + offset)) % grid, UTC)


def is_on_grid(value, grid_minutes, tz):
    local = as_utc(value).astimezone(get_tz(tz))
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return not local.microsecond and seconds % int(grid_minutes * 60) == 0


def _iter_grid_starts(gaps_by_key, duration, grid_minutes, tz, earliest, latest, first_only=False):
    """Yield ``(timestamp, key)`` for every grid start where the visit fits
    (ascending for each key; only the first one of each key if ``first_only``)."""
    grid = int(grid_minutes * 60)
    if grid <= 0:
        raise ValueError("grid_minutes must be positive")
    duration_s = duration.total_seconds()
    earliest_ts = math.ceil(as_utc(earliest).timestamp())
    # starts strictly before `latest`
    last_ts = math.ceil(as_utc(latest).timestamp()) - 1
    if last_ts < earliest_ts:
        return
    table = OffsetTable(tz, earliest_ts, last_ts)
    for key, gaps in gaps_by_key.items():
        found = False
        for start, stop, _records in gaps:
            low = max(math.ceil(start.timestamp()), earliest_ts)
            high = min(math.floor(stop.timestamp() - duration_s), last_ts)
            if high < low:
                continue
            for piece_low, piece_high, offset in table.pieces(low, high):
                first = piece_low + (-(piece_low + offset)) % grid
                if first_only:
                    if first <= piece_high:
                        yield first, key
                        found = True
                        break
                    continue
                for ts in range(first, piece_high + 1, grid):
                    yield ts, key
            if found:
                break


def bookable_starts(gaps_by_key, duration, grid_minutes, tz, earliest, latest):
    """Grid start times where a visit of ``duration`` fits in one gap.

    :param gaps_by_key: ``{key: Intervals}`` of free time (aware datetimes)
    :param duration: timedelta of the visit
    :param grid_minutes: the start grid, counted from midnight in ``tz``
    :param tz: tzinfo or zone name of the grid
    :param earliest: first allowed start (aware or naive UTC)
    :param latest: starts must be strictly before this (aware or naive UTC)
    :return: sorted list of ``(start as aware UTC datetime, sorted keys)``
    """
    slots = defaultdict(list)
    for ts, key in _iter_grid_starts(gaps_by_key, duration, grid_minutes, tz, earliest, latest):
        slots[ts].append(key)
    return [(datetime.fromtimestamp(ts, UTC), sorted(keys)) for ts, keys in sorted(slots.items())]


def first_fit(gaps_by_key, duration, grid_minutes, tz, earliest, latest):
    """The earliest grid start where the visit fits, and the keys that can
    take it: ``(aware UTC datetime, sorted keys)`` or ``(None, [])``."""
    best_ts, keys = None, []
    for ts, key in _iter_grid_starts(gaps_by_key, duration, grid_minutes, tz, earliest, latest, first_only=True):
        if best_ts is None or ts < best_ts:
            best_ts, keys = ts, [key]
        elif ts == best_ts:
            keys.append(key)
    if best_ts is None:
        return None, []
    return datetime.fromtimestamp(best_ts, UTC), sorted(keys)


def fits(gaps, start, stop):
    """Whether ``[start, stop)`` lies inside one of ``gaps``."""
    start, stop = as_utc(start), as_utc(stop)
    return any(gap_start <= start and stop <= gap_stop for gap_start, gap_stop, _records in gaps)
