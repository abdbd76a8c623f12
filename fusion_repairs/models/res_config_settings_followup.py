from odoo import fields, models
from odoo.exceptions import ValidationError

from ..lib import followup_rules


class ResConfigSettings(models.TransientModel):
    """Settings > Maintenance > Office follow-up: each daily job on or off, when an overdue
    follow-up is escalated, and to whom."""

    _inherit = "res.config.settings"

    x_fc_followup_unbooked = fields.Boolean(
        string="Call to Book Follow-up",
        config_parameter="fusion_repairs.followup_unbooked_enabled",
        default=True,
        help='Daily: give the responsible a "Call to book maintenance" activity when the last reminder has '
        "passed and the client has not booked.",
    )
    x_fc_followup_overdue = fields.Boolean(
        string="Overdue Follow-up",
        config_parameter="fusion_repairs.followup_overdue_enabled",
        default=True,
        help='Daily: give the responsible an "Overdue maintenance" activity when a unit is past its due date '
        "with no visit.",
    )
    x_fc_followup_escalation_days = fields.Integer(
        string="Escalate After (Days Overdue)",
        config_parameter="fusion_repairs.followup_escalation_days",
        default=followup_rules.DEFAULT_ESCALATION_DAYS,
        help="Days past the due date after which an overdue follow-up goes to the escalation user (0: never).",
    )
    x_fc_followup_escalation_user_id = fields.Many2one(
        related="company_id.x_fc_followup_escalation_user_id",
        readonly=False,
    )

    def set_values(self):
        self.check_access("write")  # the parameters below are written in sudo
        for settings in self:
            if settings.x_fc_followup_escalation_days < 0:
                raise ValidationError(self.env._("The days before escalating an overdue follow-up cannot be negative."))
        res = super().set_values()
        # Odoo deletes a boolean or integer `config_parameter` set to False / 0, and the default
        # (on, 14 days) would come back: "off" and "never" are real choices here
        params = self.env["ir.config_parameter"].sudo()
        for settings in self[:1]:
            params.set_param("fusion_repairs.followup_unbooked_enabled", str(bool(settings.x_fc_followup_unbooked)))
            params.set_param("fusion_repairs.followup_overdue_enabled", str(bool(settings.x_fc_followup_overdue)))
            params.set_param("fusion_repairs.followup_escalation_days", str(settings.x_fc_followup_escalation_days))
        return res
