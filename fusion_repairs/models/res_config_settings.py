from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import reminder_bands


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    x_fc_reminder_bands = fields.Char(
        string="Reminder Bands (Days Before Due)",
        config_parameter="fusion_repairs.reminder_bands",
        default=reminder_bands.DEFAULT_BANDS,
        help="Days before the due date on which the client is emailed a reminder, comma separated, e.g. 30,7,1.",
    )
    x_fc_booking_horizon_days = fields.Integer(
        string="Booking Horizon (Days)",
        config_parameter="fusion_repairs.booking_horizon_days",
        default=21,
        help="How far ahead clients can book a visit.",
    )
    x_fc_booking_min_notice_hours = fields.Integer(
        string="Minimum Notice (Hours)",
        config_parameter="fusion_repairs.booking_min_notice_hours",
        default=24,
        help="Earliest a client can book, counted from now.",
    )
    x_fc_booking_grid_minutes = fields.Integer(
        string="Start Time Grid (Minutes)",
        config_parameter="fusion_repairs.booking_grid_minutes",
        default=30,
        help="Visits start on this grid in the company time zone, e.g. every 30 minutes.",
    )
    x_fc_booking_cutoff_hours = fields.Integer(
        string="Change Cut-off (Hours)",
        config_parameter="fusion_repairs.booking_cutoff_hours",
        default=24,
        help="Clients can reschedule or cancel online until this many hours before the visit.",
    )
    x_fc_arrival_window_minutes = fields.Integer(
        string="Arrival Window (Minutes)",
        config_parameter="fusion_repairs.arrival_window_minutes",
        default=60,
        help="Length of the arrival window promised to the client.",
    )
    x_fc_auto_invoice_visits = fields.Boolean(
        string="Invoice Maintenance Visits Automatically",
        config_parameter="fusion_repairs.auto_invoice_visits",
        help="Invoice, post and email the sales order of a done visit at once.",
    )
    x_fc_plan_renewal_days = fields.Integer(
        string="Service Plan Renewal (Days Before the End)",
        config_parameter="fusion_repairs.plan_renewal_days",
        default=30,
        help="Days before a service plan ends on which its renewal quotation is created and emailed.",
    )
    x_fc_contractor_registration = fields.Char(
        related="company_id.x_fc_contractor_registration",
        readonly=False,
        string="Contractor Registration No.",
    )

    def set_values(self):
        self.check_access("write")  # the parameters below are written in sudo
        for settings in self:
            try:
                bands = reminder_bands.parse_bands(settings.x_fc_reminder_bands)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Reminder bands must be whole numbers of days separated by commas, e.g. 30,7,1 (%s).",
                        error,
                    )
                ) from error
            settings.x_fc_reminder_bands = reminder_bands.format_bands(bands)
            numbers = {
                self.env._("Booking horizon"): settings.x_fc_booking_horizon_days,
                self.env._("Start time grid"): settings.x_fc_booking_grid_minutes,
                self.env._("Arrival window"): settings.x_fc_arrival_window_minutes,
            }
            for label, value in numbers.items():
                if value <= 0:
                    raise ValidationError(self.env._("%s must be greater than 0.", label))
            if settings.x_fc_plan_renewal_days < 0:
                raise ValidationError(self.env._("The service plan renewal days cannot be negative."))
            if settings.x_fc_booking_min_notice_hours < 0 or settings.x_fc_booking_cutoff_hours < 0:
                raise ValidationError(self.env._("The minimum notice and the change cut-off cannot be negative."))
        res = super().set_values()
        # Odoo deletes an integer `config_parameter` set to 0, and the default (24 h) would come
        # back: 0 hours is a real choice here (book or change until the last moment)
        params = self.env["ir.config_parameter"].sudo()
        for settings in self[:1]:
            params.set_param("fusion_repairs.booking_min_notice_hours", str(settings.x_fc_booking_min_notice_hours))
            params.set_param("fusion_repairs.booking_cutoff_hours", str(settings.x_fc_booking_cutoff_hours))
            params.set_param("fusion_repairs.plan_renewal_days", str(settings.x_fc_plan_renewal_days))
        return res

    # ── Enrolling past sales (backfill): overdue units spread over the next weeks ──
    x_fc_backfill_stagger_weeks = fields.Integer(
        string="Spread Overdue Units Over (Weeks)",
        config_parameter="fusion_repairs.backfill_stagger_weeks",
        default=8,
        help="When past sales are enrolled, units already past due get due dates spread over this many weeks.",
    )
    x_fc_backfill_daily_cap = fields.Integer(
        string="At Most Due per Day",
        config_parameter="fusion_repairs.backfill_daily_cap",
        default=20,
        help="When past sales are enrolled, most due dates on one working day (units already due count).",
    )

    @api.constrains("x_fc_backfill_stagger_weeks", "x_fc_backfill_daily_cap")
    def _check_backfill_settings(self):
        for settings in self:
            if settings.x_fc_backfill_stagger_weeks < 1 or settings.x_fc_backfill_daily_cap < 1:
                raise ValidationError(
                    self.env._("Spread overdue units over at least one week, and allow at least one a day.")
                )
