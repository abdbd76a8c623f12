from odoo import fields, models

from ..lib.booking_slots import BY_CLIENT, BY_OFFICE


class FusionRepairMaintenanceReminderLog(models.Model):
    """One due reminder emailed to a client: its band, and whether a visit was booked next.

    Written by the reminder job for every reminder it sends (a reminder that could not be
    emailed is not one). The booking service marks the cycle's last reminder as followed by
    a booking, online or by the office, so the overview can set reminders sent against
    visits booked, band by band."""

    _name = "fusion.repair.maintenance.reminder.log"
    _description = "Maintenance Reminder Sent"
    _order = "sent_on desc, id desc"
    _rec_name = "contract_id"

    contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        string="Contract",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True, string="Client")
    product_id = fields.Many2one(related="contract_id.product_id", store=True, string="Equipment")
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    band = fields.Integer(string="Band (Days Before)", required=True, readonly=True)
    sent_on = fields.Datetime(string="Sent On", required=True, readonly=True, default=fields.Datetime.now)
    due_date = fields.Date(string="Due Date", readonly=True, help="The due date the reminder announced.")
    booked = fields.Boolean(
        string="Visit Booked",
        readonly=True,
        index=True,
        help="A visit was booked for this cycle after this reminder, and before any other one.",
    )
    booked_by = fields.Selection(
        [(BY_CLIENT, "Online (client)"), (BY_OFFICE, "Office")], string="Booked By", readonly=True
    )
    task_id = fields.Many2one("fusion.technician.task", string="Booked Visit", readonly=True, ondelete="set null")
