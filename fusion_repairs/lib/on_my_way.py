"""ORM-free rules of the technician's "On my way" email: the arrival time told to the client and
when a second press is the same trip (no second email)."""

from datetime import timedelta

# the technician's choices, in minutes
ETA_CHOICES = (15, 30, 45, 60)
# a second press within this time is the same trip (a double click, a reloaded screen)
REPEAT_WINDOW_MINUTES = 10
# the time said to the client is rounded to this many minutes ("around 2:35 p.m.")
ROUND_MINUTES = 5


def expected_arrival(now, minutes, round_minutes=ROUND_MINUTES):
    """``now`` plus ``minutes``, rounded to the nearest ``round_minutes`` (naive UTC in and out).

    :raises ValueError: for minutes that are not one of ``ETA_CHOICES``
    """
    minutes = int(minutes)
    if minutes not in ETA_CHOICES:
        raise ValueError(f"Unexpected arrival estimate: {minutes} minutes")
    arrival = now + timedelta(minutes=minutes)
    midnight = arrival.replace(hour=0, minute=0, second=0, microsecond=0)
    step = round_minutes * 60
    seconds = (arrival - midnight).total_seconds()
    return midnight + timedelta(seconds=int(seconds // step + (1 if seconds % step >= step / 2 else 0)) * step)


def is_same_trip(last_sent, now, window_minutes=REPEAT_WINDOW_MINUTES):
    """Whether an email sent at ``last_sent`` (naive UTC, or None) is this trip's."""
    return bool(last_sent) and timedelta(0) <= now - last_sent < timedelta(minutes=window_minutes)
