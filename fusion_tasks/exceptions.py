"""Errors of fusion_tasks that other addons may catch by type."""

from odoo.exceptions import ValidationError


class TaskOverlapError(ValidationError):
    """A technician's task would overlap another of their non-cancelled tasks.

    Raised by the friendly check before saving and by the database's exclusion
    constraint (e.g. a concurrent booking won the race); its message names the
    technician. Other constraint violations stay plain ``ValidationError``, so
    ``except TaskOverlapError`` means "that time was just taken".
    """
