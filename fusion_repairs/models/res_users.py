from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    x_fc_licence_number = fields.Char(
        string="Technician Licence No.",
        help="The technician's trade licence or certification number, printed on the inspection "
        "certificates they issue (e.g. the elevating devices mechanic licence).",
    )
