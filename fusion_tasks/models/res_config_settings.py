from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    x_fc_travel_buffer_minutes = fields.Integer(
        "Travel Buffer (minutes)", default=30,
        config_parameter='fusion_tasks.travel_buffer_minutes',
        help="Time kept free before and after every task and busy meeting of a technician.")
