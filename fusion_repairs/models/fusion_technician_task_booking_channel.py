from odoo import fields, models

from ..lib.booking_slots import BY_CLIENT, BY_OFFICE


class FusionTechnicianTask(models.Model):
    """Who booked a maintenance visit: the client online (their link) or the office."""

    _inherit = "fusion.technician.task"

    booked_by = fields.Selection(
        [(BY_CLIENT, "Online (client)"), (BY_OFFICE, "Office")],
        string="Booked By",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set by the booking service when the visit is booked: the client's own booking "
        "link or office staff. Moving the visit keeps it.",
    )

    def _get_dispatcher_only_fields(self):
        return super()._get_dispatcher_only_fields() | {"booked_by"}
