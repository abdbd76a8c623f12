from odoo import api, fields, models


class FusionTechnicianSkill(models.Model):
    _name = "fusion.technician.skill"
    _description = "Technician Skill"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short unique code, e.g. STAIRLIFT.")
    active = fields.Boolean(default=True)
    technician_ids = fields.Many2many(
        "res.users",
        "fusion_technician_skill_res_users_rel",
        "skill_id",
        "user_id",
        string="Technicians",
        domain=[("x_fc_is_technician", "=", True)],
    )
    technician_count = fields.Integer(compute="_compute_technician_count")

    _code_unique = models.Constraint("UNIQUE (code)", "A skill with this code already exists.")

    @api.depends("technician_ids")
    def _compute_technician_count(self):
        for skill in self:
            skill.technician_count = len(skill.technician_ids)
