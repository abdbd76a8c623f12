import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def normalise_postal_code(code):
    """Upper case, spaces removed: ' m4b 1b3' -> 'M4B1B3'."""
    return re.sub(r"\s+", "", code or "").upper()


class FusionServiceZone(models.Model):
    _name = "fusion.service.zone"
    _description = "Service Zone"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    postal_prefixes = fields.Char(
        "Postal Code Prefixes",
        required=True,
        help="Comma-separated beginnings of the postal codes served, e.g. M4, L6A.",
    )
    technician_ids = fields.Many2many(
        "res.users",
        "fusion_service_zone_res_users_rel",
        "zone_id",
        "user_id",
        string="Technicians",
        domain=[("x_fc_is_technician", "=", True)],
    )
    technician_count = fields.Integer(compute="_compute_technician_count")

    @api.depends("technician_ids")
    def _compute_technician_count(self):
        for zone in self:
            zone.technician_count = len(zone.technician_ids)

    def _get_prefixes(self):
        self.ensure_one()
        return [p for p in (normalise_postal_code(part) for part in (self.postal_prefixes or "").split(",")) if p]

    @api.constrains("postal_prefixes")
    def _check_postal_prefixes(self):
        for zone in self:
            prefixes = zone._get_prefixes()
            if not prefixes or any(not prefix.isalnum() for prefix in prefixes):
                raise ValidationError(
                    self.env._(
                        "Postal code prefixes of zone %(zone)s must be letters and digits separated by commas, "
                        'e.g. "M4, L6A".',
                        zone=zone.name,
                    )
                )

    @api.model
    def _match_postal_code(self, postal_code):
        """Zones having a prefix that starts the given (normalised) postal code."""
        code = normalise_postal_code(postal_code)
        if not code:
            return self.browse()
        # one light query: this runs on every slot search
        self.flush_model(["active", "postal_prefixes"])
        self.env.cr.execute("SELECT id, postal_prefixes FROM fusion_service_zone WHERE active")
        return self.browse(
            zone_id
            for zone_id, prefixes in self.env.cr.fetchall()
            if any(prefix and code.startswith(prefix) for prefix in map(normalise_postal_code, prefixes.split(",")))
        )
