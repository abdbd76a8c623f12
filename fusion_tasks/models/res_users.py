from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    x_fc_is_technician = fields.Boolean(
        "Field Technician",
        help="Technicians can be assigned tasks, are offered in the availability search "
        "and land on My Tasks after login.",
    )
    x_fc_technician_skill_ids = fields.Many2many(
        "fusion.technician.skill",
        "fusion_technician_skill_res_users_rel",
        "user_id",
        "skill_id",
        string="Technician Skills",
    )
    x_fc_service_zone_ids = fields.Many2many(
        "fusion.service.zone", "fusion_service_zone_res_users_rel", "user_id", "zone_id", string="Service Zones"
    )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        technicians = users.filtered("x_fc_is_technician")
        technicians._fc_ensure_resource()
        technicians._fc_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if vals.get("x_fc_is_technician"):
            self._fc_ensure_resource()
            self._fc_set_home_action()
        return res

    def _fc_set_home_action(self):
        """Technicians land on their tasks after login (unless they already have a home action)."""
        action = self.env.ref("fusion_tasks.fusion_technician_task_action_my", raise_if_not_found=False)
        homeless = self.filtered(lambda user: not user.sudo().action_id)
        if action and homeless:
            homeless.sudo().action_id = action.id

    def _fc_ensure_resource(self):
        """Give technicians without an employee a resource, so that they get
        working hours (``resource_calendar_id``) and personal time off."""
        missing = self.filtered(lambda user: not user.sudo().resource_ids)
        if not missing:
            return
        self.env["resource.resource"].sudo().create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "company_id": user.company_id.id,
                    "calendar_id": user.company_id.resource_calendar_id.id,
                    "tz": user.tz or user.company_id.resource_calendar_id.tz or "UTC",
                }
                for user in missing
            ]
        )
