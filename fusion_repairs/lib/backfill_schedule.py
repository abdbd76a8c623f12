"""Due dates of units enrolled after the fact (the installed-base backfill).

ORM-free on purpose. A unit sold years ago has a due date (delivery + interval) long
past: it is not "due in the past", it is due now. If all of them were due tomorrow, the
office would get hundreds of reminders on one day and the technicians hundreds of visits
to fit in one week. So the overdue ones are spread over the working days of the next
``weeks`` weeks, the oldest first, never more than ``daily_cap`` due on one day (units
already due that day, given in ``load``, count too); when the window is full, the rest
continue on the following working days, still under the cap.
"""

import math
from datetime import timedelta

DEFAULT_WEEKS = 8
DEFAULT_DAILY_CAP = 20


def working_days(start, skip_weekends=True):
    """The days from ``start`` on (included), Saturdays and Sundays left out unless
    ``skip_weekends`` is false; endless."""
    day = start
    while True:
        if not skip_weekends or day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def stagger_due_dates(units, today, weeks=DEFAULT_WEEKS, daily_cap=DEFAULT_DAILY_CAP, load=None, skip_weekends=True):
    """Spread the due dates of the overdue ``units``.

    :param units: iterable of ``(key, due_date)``: the due date each unit would have
        (anchor + interval)
    :param today: the day of the run; a due date before it is overdue
    :param weeks: length of the window (from tomorrow) over which overdue units are spread
    :param daily_cap: most units due on one day, ``load`` included
    :param load: ``{date: count}`` of units already due on a day (existing contracts);
        the units of ``units`` that keep their own date count too
    :return: ``{key: due_date}``: the unit's own date if it is today or later, else its
        place in the window (oldest overdue unit first, ties by key)

    >>> from datetime import date
    >>> stagger_due_dates([("a", date(2020, 1, 1)), ("b", date(2031, 5, 2))], date(2027, 1, 8), weeks=1)
    {'b': datetime.date(2031, 5, 2), 'a': datetime.date(2027, 1, 11)}
    """
    if weeks < 1:
        raise ValueError("the window must be at least one week")
    if daily_cap < 1:
        raise ValueError("the daily cap must be at least one unit a day")
    result = {}
    overdue = []
    load = dict(load or {})
    for key, due in units:
        if due >= today:
            result[key] = due
            load[due] = load.get(due, 0) + 1
        else:
            overdue.append((due, key))
    if not overdue:
        return result
    overdue.sort()
    days = []  # working days handed out so far (the window first, more on demand)
    next_days = working_days(today + timedelta(days=1), skip_weekends)
    window = weeks * (5 if skip_weekends else 7)
    days.extend(next(next_days) for _i in range(window))
    count = len(overdue)
    position = 0
    for index, (_due, key) in enumerate(overdue):
        # evenly spaced over the window (5 units over 40 days: days 0, 8, 16, ...), never
        # before the previous unit, and on the first day after that with room under the cap
        position = max(position, math.floor(index * window / count))
        while True:
            while position >= len(days):
                days.append(next(next_days))
            day = days[position]
            if load.get(day, 0) < daily_cap:
                break
            position += 1
        load[day] = load.get(day, 0) + 1
        result[key] = day
    return result
