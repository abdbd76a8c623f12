from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    x_fc_relationship = fields.Char(
        string="Relationship to the Client",
        help="How this contact is related to the client they are kept informed about (e.g. daughter, caregiver,"
        " care home). Shown to the client on the booking page next to the name.",
    )
