from odoo import fields, models


class ResCompany(models.Model):
    """Who gets the company's escalated maintenance follow-ups (no HR module here: the
    "manager" of a responsible is this one user per company)."""

    _inherit = "res.company"

    x_fc_followup_escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate Overdue Maintenance To",
        domain="[('share', '=', False)]",
        help="Receives the overdue maintenance follow-ups once they are overdue for the configured number of "
        "days, and the follow-ups of contracts without an active responsible. Empty: the company's first "
        "Field Service manager.",
    )

    def _fc_get_followup_escalation_user(self):
        """The "Escalate to" user when set (active, internal), else the first active Field
        Service manager of this company, else the administrator."""
        self.ensure_one()
        company = self.sudo()
        user = company.x_fc_followup_escalation_user_id
        if user and user.active and not user.share:
            return user
        manager = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("all_group_ids", "in", self.env.ref("fusion_tasks.group_fusion_manager").id),
                    ("share", "=", False),
                    ("company_ids", "in", company.ids),
                ],
                order="id",
                limit=1,
            )
        )
        return manager or self.env.ref("base.user_admin")
