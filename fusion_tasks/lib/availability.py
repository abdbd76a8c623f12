"""Availability arithmetic, free of the ORM.

Two layers:

* on ``odoo.tools.intervals.Intervals`` of timezone-aware datetimes (records
  part always an empty frozenset): ``make_intervals``, ``to_utc``,
  ``free_intervals`` (working time minus busy time widened by a travel buffer),
  ``clip``, ``fits``, ``bookable_starts``, ``first_fit``;
* the same operations on sorted lists of ``(start, stop)`` POSIX timestamps
  (``to_timestamps``, ``from_timestamps``, ``subtract_timestamps``,
  ``grid_starts``), which the engine uses on its hot path: a month of slots for
  twenty technicians then costs a few list sweeps and ``range()`` calls instead
  of thousands of datetime and time zone operations.

The start grid counts N minutes from midnight in a given time zone, so slots
start at 9:00 and 9:30 local on both sides of a daylight saving change; the
time zone's offsets over the period are kept in a small table of transitions.
"""

import bisect
import math
from datetime import datetime, timedelta

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


# ----------------------------------------------------------------------
# Intervals of aware datetimes
# ----------------------------------------------------------------------


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


def fits(gaps, start, stop):
    """Whether ``[start, stop)`` lies inside one of ``gaps``."""
    start, stop = as_utc(start), as_utc(stop)
    return any(gap_start <= start and stop <= gap_stop for gap_start, gap_stop, _records in gaps)


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


# ----------------------------------------------------------------------
# Grid on Intervals
# ----------------------------------------------------------------------


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
    slots = _grid_starts_of_intervals(gaps_by_key, duration, grid_minutes, tz, earliest, latest)
    return [(datetime.fromtimestamp(ts, UTC), sorted(keys)) for ts, keys in sorted(slots.items())]


def first_fit(gaps_by_key, duration, grid_minutes, tz, earliest, latest):
    """The earliest grid start where the visit fits, and the keys that can
    take it: ``(aware UTC datetime, sorted keys)`` or ``(None, [])``."""
    slots = _grid_starts_of_intervals(gaps_by_key, duration, grid_minutes, tz, earliest, latest, first_only=True)
    if not slots:
        return None, []
    best = min(slots)
    return datetime.fromtimestamp(best, UTC), sorted(slots[best])


def _grid_starts_of_intervals(gaps_by_key, duration, grid_minutes, tz, earliest, latest, first_only=False):
    """``grid_starts`` for ``Intervals`` of aware datetimes and a timedelta duration."""
    return grid_starts(
        {key: to_timestamps(gaps) for key, gaps in gaps_by_key.items()},
        duration.total_seconds(),
        grid_minutes,
        tz,
        timestamp(earliest),
        timestamp(latest),
        first_only=first_only,
    )
