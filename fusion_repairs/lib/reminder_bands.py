"""Due-reminder bands: which reminder a maintenance contract should get today.

ORM-free on purpose, so that the date rules are tested alone. A *band* is a number
of days before the due date (default 30, 7 and 1). A contract's ``already_sent``
is the most urgent band it was already sent in the current cycle (0 = none).

Rules:

- a band is *due* once ``days_left <= band``;
- only the most urgent due band is sent, so a contract that catches up after a
  few days of downtime (30 and 7 both passed) gets one mail, not two;
- a band, or a less urgent one, is never sent twice in the same cycle;
- past the due date the most urgent band is still due (one last reminder if
  none was sent yet).
"""

DEFAULT_BANDS = "30,7,1"


def parse_bands(value):
    """Parse ``"30, 7,1"`` into a sorted tuple of distinct positive days, most
    urgent first: ``(1, 7, 30)``.

    :raises ValueError: on an empty value, a non-integer or a band below 1.
    """
    if isinstance(value, (list, tuple)):
        parts = [str(part) for part in value]
    else:
        parts = (value or "").split(",")
    bands = set()
    for part in parts:
        part = part.strip()
        if not part:
            continue
        try:
            band = int(part)
        except ValueError:
            raise ValueError(f'"{part}" is not a whole number of days') from None
        if band < 1:
            raise ValueError(f"a reminder band must be at least 1 day, not {band}")
        bands.add(band)
    if not bands:
        raise ValueError("at least one reminder band is required")
    return tuple(sorted(bands))


def format_bands(bands):
    """Inverse of :func:`parse_bands`: ``(1, 7, 30)`` -> ``"30,7,1"``."""
    return ",".join(str(band) for band in sorted(bands, reverse=True))


def due_band(days_left, bands):
    """The most urgent band reached with ``days_left`` days before the due date,
    or None when the due date is further away than the widest band."""
    reached = [band for band in bands if days_left <= band]
    return min(reached) if reached else None


def band_to_send(days_left, bands, already_sent=0):
    """The band to send now, or None.

    :param int days_left: days from today to the due date (negative = overdue)
    :param bands: iterable of positive ints (any order)
    :param int already_sent: most urgent band already sent this cycle, 0 = none
    """
    band = due_band(days_left, bands)
    if band is None:
        return None
    if already_sent and already_sent <= band:
        return None
    return band


def band_windows(bands):
    """``[(band, lower_exclusive_days or None), ...]`` most urgent first.

    A contract with ``lower < days_left <= band`` is in the window of ``band``;
    the most urgent band has no lower bound. Used to build a database domain
    that selects exactly the contracts for which :func:`band_to_send` is not None.
    """
    ordered = sorted(set(bands))
    return [(band, ordered[index - 1] if index else None) for index, band in enumerate(ordered)]
