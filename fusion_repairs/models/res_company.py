from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    x_fc_contractor_registration = fields.Char(
        string="Contractor Registration No.",
        help="The company's contractor registration (e.g. with the TSSA), printed on inspection certificates.",
    )
