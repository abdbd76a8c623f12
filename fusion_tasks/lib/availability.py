"""Availability arithmetic, free of the ORM.

The engine computes on sorted lists of ``(start, stop)`` POSIX timestamps in
whole seconds: ``subtract_timestamps`` (working time minus busy time and time
off) and ``grid_starts`` (where a visit fits on the start grid). A month of
slots for twenty technicians then costs a few list sweeps and ``range()`` calls
instead of thousands of datetime and time zone operations. At its edges it
converts from and to ``odoo.tools.intervals.Intervals`` of aware datetimes
(``to_timestamps``, ``to_timestamps_outer``, ``from_timestamps``,
``make_intervals``).

Also: zones and naive UTC datetimes (``get_tz``, ``as_utc``, ``to_naive_utc``,
``timestamp``) and the local days of a zone as naive UTC bounds
(``local_day_start_utc``, ``local_day_bounds_utc``).

The start grid counts N minutes from midnight in a given time zone, so slots
start at 9:00 and 9:30 local on both sides of a daylight saving change; the
time zone's offsets over the period are kept in a small table of transitions.
"""

import bisect
import math
from datetime import datetime, time, timedelta

import pytz

from odoo.tools.intervals import Intervals

NO_RECORDS = frozenset()
UTC = pytz.utc
EPOCH = datetime(1970, 1, 1)
# zones change their offset at most once in this span (DST rules)
_PROBE_STEP = 24 * 3600


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


def timestamp(value):
    """POSIX timestamp of an aware datetime, or of a naive one taken as UTC."""
    if value.tzinfo is None:
        return (value - EPOCH).total_seconds()
    return value.timestamp()


def _local_date(ts, tz):
    return datetime.fromtimestamp(ts, UTC).astimezone(tz).date()


def local_day_start_utc(day, tz):
    """The first instant of the local date ``day`` in zone ``tz`` (name or
    tzinfo), as Odoo's naive UTC datetime.

    Usually local midnight; where a daylight saving change skips midnight
    (e.g. America/Santiago), the first instant that exists on that day, and
    where midnight happens twice, the first one.
    """
    tz = get_tz(tz)
    if isinstance(day, datetime):
        day = day.date()
    midnight = int((datetime.combine(day, time.min) - EPOCH).total_seconds())
    # the zone's offsets on both sides of that midnight (at most one change a day)
    offsets = {
        int(datetime.fromtimestamp(midnight + shift, UTC).astimezone(tz).utcoffset().total_seconds())
        for shift in (-86400, 86400)
    }
    candidates = sorted(midnight - offset for offset in offsets)
    valid = [
        ts
        for ts in candidates
        if datetime.fromtimestamp(ts, UTC).astimezone(tz).replace(tzinfo=None) == datetime.combine(day, time.min)
    ]
    if valid:
        start = valid[0]
    else:
        # midnight does not exist that day: find the first second of the day
        low, high = candidates[0], candidates[-1]
        while high - low > 1:
            middle = (low + high) // 2
            if _local_date(middle, tz) >= day:
                high = middle
            else:
                low = middle
        start = high
    return EPOCH + timedelta(seconds=start)


def local_day_bounds_utc(day, tz):
    """``(start, end)``: the whole local date ``day`` in zone ``tz`` as naive
    UTC datetimes, ``end`` being the start of the next day (a day of a daylight
    saving change lasts 23 or 25 hours)."""
    if isinstance(day, datetime):
        day = day.date()
    return local_day_start_utc(day, tz), local_day_start_utc(day + timedelta(days=1), tz)


# ----------------------------------------------------------------------
# Intervals of aware datetimes (the engine's edges)
# ----------------------------------------------------------------------


def make_intervals(pairs):
    """Intervals from ``(start, stop)`` pairs; empty pairs are dropped and
    overlapping or touching ones merged."""
    return Intervals([(start, stop, NO_RECORDS) for start, stop in pairs if start < stop])


# ----------------------------------------------------------------------
# Sorted lists of (start, stop) timestamps
# ----------------------------------------------------------------------


def to_timestamps(intervals):
    """``[(start_ts, stop_ts)]`` in whole seconds, rounded inwards (for free
    time), of Intervals or of ``(start, stop[, ...])`` tuples of datetimes."""
    return [(math.ceil(timestamp(item[0])), math.floor(timestamp(item[1]))) for item in intervals]


def to_timestamps_outer(intervals):
    """As ``to_timestamps``, rounded outwards (for busy time)."""
    return [(math.floor(timestamp(item[0])), math.ceil(timestamp(item[1]))) for item in intervals]


def from_timestamps(pairs):
    """Intervals of aware UTC datetimes from ``(start_ts, stop_ts)`` pairs."""
    fromtimestamp = datetime.fromtimestamp
    return make_intervals((fromtimestamp(start, UTC), fromtimestamp(stop, UTC)) for start, stop in pairs)


def subtract_timestamps(base, removed, low=None, high=None):
    """``base`` minus ``removed``, clipped to ``[low, high]`` when given.

    :param base: sorted, disjoint ``(start, stop)`` pairs
    :param removed: ``(start, stop)`` pairs in any order, overlapping or not
    :return: sorted, disjoint pairs (empty pieces dropped)
    """
    result = []
    if not removed:
        for start, stop in base:
            if low is not None and start < low:
                start = low
            if high is not None and stop > high:
                stop = high
            if start < stop:
                result.append((start, stop))
        return result
    cuts = sorted(removed)
    n_cuts = len(cuts)
    index = 0
    for start, stop in base:
        if low is not None and start < low:
            start = low
        if high is not None and stop > high:
            stop = high
        if start >= stop:
            continue
        # skip the cuts that end before this piece
        while index < n_cuts and cuts[index][1] <= start:
            index += 1
        current = start
        scan = index
        while scan < n_cuts and cuts[scan][0] < stop:
            cut_start, cut_stop = cuts[scan]
            if cut_start > current:
                result.append((current, cut_start))
            if cut_stop > current:
                current = cut_stop
            if current >= stop:
                break
            scan += 1
        if current < stop:
            result.append((current, stop))
    return result


class OffsetTable:
    """UTC offsets of a time zone over a period, as sorted transitions, so
    that the offset at a POSIX timestamp is a bisection away.

    pytz zones carry their transitions: they are read directly. Other tzinfo
    objects (zoneinfo...) are probed every day, a change being located to the
    second by bisection."""

    def __init__(self, tz, start_ts, stop_ts):
        self.tz = get_tz(tz)
        start_ts = math.floor(start_ts) - 1
        stop_ts = math.ceil(stop_ts) + 1
        transitions = getattr(self.tz, "_utc_transition_times", None)
        if transitions:
            self._read_transitions(transitions, self.tz._transition_info, start_ts, stop_ts)
        else:
            self._probe(start_ts, stop_ts)

    def _read_transitions(self, transitions, infos, start_ts, stop_ts):
        start = EPOCH + timedelta(seconds=start_ts)
        stop = EPOCH + timedelta(seconds=stop_ts)
        first = max(bisect.bisect_right(transitions, start) - 1, 0)
        last = bisect.bisect_right(transitions, stop)
        self.times = [start_ts]
        self.offsets = [int(infos[first][0].total_seconds())]
        for index in range(first + 1, last):
            self.times.append(int((transitions[index] - EPOCH).total_seconds()))
            self.offsets.append(int(infos[index][0].total_seconds()))

    def _probe(self, start_ts, stop_ts):
        previous = self._offset(start_ts)
        self.times = [start_ts]  # timestamps where a new offset starts
        self.offsets = [previous]  # offset (seconds) valid from times[i]
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
        times, offsets = self.times, self.offsets
        index = bisect.bisect_right(times, low) - 1
        last = len(times) - 1
        while index < last and times[index + 1] <= high:
            yield low, times[index + 1] - 1, offsets[index]
            index += 1
            low = times[index]
        yield low, high, offsets[index]


def grid_starts(gaps_by_key, duration_s, grid_minutes, tz, earliest_ts, latest_ts, first_only=False):
    """Grid start timestamps where a visit of ``duration_s`` seconds fits in
    one gap, at or after ``earliest_ts`` and strictly before ``latest_ts``.

    :param gaps_by_key: ``{key: [(start_ts, stop_ts)]}`` sorted free gaps, in
        whole seconds (``to_timestamps``)
    :param first_only: keep only the first start of each key
    :return: ``{start_ts: [keys]}`` (keys in the order of ``gaps_by_key``)
    """
    grid = int(grid_minutes * 60)
    if grid <= 0:
        raise ValueError("grid_minutes must be positive")
    earliest_ts = math.ceil(earliest_ts)
    last_ts = math.ceil(latest_ts) - 1
    if last_ts < earliest_ts:
        return {}
    table = OffsetTable(tz, earliest_ts, last_ts)
    offsets = table.offsets
    if all((offset - offsets[0]) % grid == 0 for offset in offsets):
        # the usual case (no change in the period, or a change of a whole
        # number of grid steps): one lattice of UTC instants, kept in a list
        return _lattice_starts(gaps_by_key, duration_s, grid, offsets[0], earliest_ts, last_ts, first_only)
    slots = {}
    get = slots.get
    for key, gaps in gaps_by_key.items():
        for start, stop in gaps:
            low = max(math.ceil(start), earliest_ts)
            high = min(math.floor(stop - duration_s), last_ts)
            if high < low:
                continue
            for piece_low, piece_high, offset in table.pieces(low, high):
                first = piece_low + (-(piece_low + offset)) % grid
                if first > piece_high:
                    continue
                if first_only:
                    piece_high = first
                for ts in range(first, piece_high + 1, grid):
                    keys = get(ts)
                    if keys is None:
                        slots[ts] = [key]
                    else:
                        keys.append(key)
                if first_only:
                    break
            else:
                continue
            break
    return slots


def _lattice_starts(gaps_by_key, duration_s, grid, offset, earliest_ts, last_ts, first_only):
    """``grid_starts`` when all grid points lie on one lattice of UTC instants:
    starts are list indexes, and the loops use integer arithmetic only (the
    hot loop of a slot search)."""
    origin = earliest_ts + (-(earliest_ts + offset)) % grid  # first grid point
    if origin > last_ts:
        return {}
    buckets = [[] for _index in range((last_ts - origin) // grid + 1)]
    ceil_shift = grid - 1 - origin
    duration_s = math.ceil(duration_s)
    for key, gaps in gaps_by_key.items():
        for start, stop in gaps:
            if start < earliest_ts:
                start = earliest_ts
            high = stop - duration_s  # the last start that still fits
            if high > last_ts:
                high = last_ts
            if high < start:
                continue
            first = (start + ceil_shift) // grid
            last = (high - origin) // grid
            if first > last:
                continue
            if first_only:
                buckets[first].append(key)
                break
            for index in range(first, last + 1):
                buckets[index].append(key)
    return {origin + index * grid: keys for index, keys in enumerate(buckets) if keys}
