"""Dates and times in words, in one named time zone, the Canadian way ("9:00 \N{EN DASH} 10:30 a.m.",
and in French "13 h \N{EN DASH} 14 h 30", "jeudi 3 décembre 2026").

Stored datetimes are naive UTC (Odoo's convention). ORM-free; shared by the task form's
warnings and the booking pages of fusion_repairs.
"""

import babel
import babel.dates
import pytz


def to_local(value, tz_name):
    """Naive UTC datetime -> aware datetime in ``tz_name``."""
    return pytz.utc.localize(value).astimezone(pytz.timezone(tz_name or "UTC"))


def babel_locale(lang_code):
    """Babel locale for an Odoo language code; English is shown the Canadian way."""
    code = (lang_code or "en_CA").replace("-", "_")
    if code.startswith("en"):
        return "en_CA"
    return code


def timezone_name(tz_name, lang_code="en_CA"):
    """The zone's generic name, e.g. "Eastern Time" (the zone itself when babel has none)."""
    tz_name = tz_name or "UTC"
    if tz_name in ("UTC", "Etc/UTC", "GMT"):
        return "UTC"
    try:
        return babel.dates.get_timezone_name(tz_name, width="long", locale=babel_locale(lang_code))
    except (LookupError, ValueError):
        return tz_name


def timezone_label(tz_name, lang_code="en_CA"):
    """A zone name people recognise, e.g. "Eastern Time (Toronto)"."""
    generic = timezone_name(tz_name, lang_code)
    if generic == "UTC":
        return generic
    city = (tz_name or "UTC").rsplit("/", 1)[-1].replace("_", " ")
    return f"{generic} ({city})" if city and city not in generic else generic


def format_day(value, tz_name, lang_code="en_CA"):
    """The local day of a naive UTC datetime in words: "Monday, November 2, 2026"."""
    return babel.dates.format_date(to_local(value, tz_name).date(), format="full", locale=babel_locale(lang_code))


def format_day_date(value, lang_code="en_CA"):
    """A calendar date in words: "Monday, November 2, 2026" (empty for no date)."""
    if not value:
        return ""
    return babel.dates.format_date(value, format="full", locale=babel_locale(lang_code))


def is_french(lang_code):
    """Whether ``lang_code`` (Odoo or Babel code) is a French locale."""
    return str(babel_locale(lang_code)).split("_", 1)[0] == "fr"


def format_time(value, tz_name, lang_code="en_CA"):
    """The local time of a naive UTC datetime: "9:30 a.m."; in French the Quebec way, the
    minutes left out on the hour ("13 h", "14 h 05")."""
    local = to_local(value, tz_name)
    locale = babel_locale(lang_code)
    if is_french(lang_code):
        # the locale's own hour patterns ("HH 'h'", "HH 'h' mm"), without the leading zero: "9 h"
        skeletons = babel.Locale.parse(locale).datetime_skeletons
        pattern = str(skeletons["Hm" if local.minute else "H"]).replace("HH", "H")
        return babel.dates.format_time(local, format=pattern, tzinfo=local.tzinfo, locale=locale)
    return babel.dates.format_time(local, format="short", tzinfo=local.tzinfo, locale=locale)


def window_parts(start, end, tz_name, lang_code="en_CA"):
    """The two ends of an arrival window, "a.m."/"p.m." said once: ("8:00", "9:00 a.m.")."""
    start_label = format_time(start, tz_name, lang_code)
    end_label = format_time(end, tz_name, lang_code)
    for suffix in (" a.m.", " p.m.", " AM", " PM"):
        if start_label.endswith(suffix) and end_label.endswith(suffix):
            start_label = start_label[: -len(suffix)]
            break
    return start_label, end_label


def format_window(start, end, tz_name, lang_code="en_CA"):
    """An arrival window in one short label, the end's "a.m."/"p.m." said once:
    "8:00 \N{EN DASH} 9:00 a.m.", "11:30 a.m. \N{EN DASH} 12:30 p.m."."""
    return "%s \u2013 %s" % window_parts(start, end, tz_name, lang_code)
