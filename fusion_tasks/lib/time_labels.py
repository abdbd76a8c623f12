"""Time labels of the task form's messages, the Canadian way ("9:00 \N{EN DASH} 10:30 a.m."). ORM-free."""

import babel.dates

from odoo.tools.misc import babel_locale_parse


def babel_locale(lang_code):
    """English is shown the Canadian way ("9:30 a.m.")."""
    code = (lang_code or "en_CA").replace("-", "_")
    return babel_locale_parse("en_CA" if code.startswith("en") else code)


def format_local_time(value, locale):
    """ "9:30 a.m." of an aware datetime, in its own zone."""
    return babel.dates.format_time(value, format="short", tzinfo=value.tzinfo, locale=locale)


def format_local_window(start, end, locale):
    """ "9:00 \N{EN DASH} 10:30 a.m.", "11:30 a.m. \N{EN DASH} 12:30 p.m." ("a.m."/"p.m." said once,
    as on the booking pages) of two aware datetimes of the same day."""
    start_label, end_label = format_local_time(start, locale), format_local_time(end, locale)
    for suffix in (" a.m.", " p.m.", " AM", " PM"):
        if start_label.endswith(suffix) and end_label.endswith(suffix):
            start_label = start_label[: -len(suffix)]
            break
    return f"{start_label} \N{EN DASH} {end_label}"
