from odoo import api, fields, models
from odoo.fields import Command

from ..lib import booking_slots


class FusionRepairMaintenanceBookingWizard(models.TransientModel):
    """Office booking: the free times the client would see, with the technicians who can take
    them; staff may ignore the minimum notice and choose the technician."""

    _name = "fusion.repair.maintenance.booking.wizard"
    _description = "Book Maintenance Visit"

    contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="contract_id.partner_id")
    product_id = fields.Many2one(related="contract_id.product_id")
    is_booked = fields.Boolean(related="contract_id.is_booked")
    current_visit = fields.Char(compute="_compute_current_visit")
    ignore_min_notice = fields.Boolean(
        string="Ignore minimum notice",
        help="Offer times sooner than the minimum notice the client gets online.",
    )
    technician_id = fields.Many2one(
        "res.users",
        domain="[('x_fc_is_technician', '=', True), ('share', '=', False)]",
        help="Leave empty to give each visit to the least busy qualified technician.",
    )
    send_confirmation = fields.Boolean(
        string="Email the client",
        default=True,
        help="Send the booking confirmation (with a calendar file) to the client.",
    )
    tz_label = fields.Char(string="Times in", compute="_compute_tz_label")
    line_ids = fields.One2many(
        "fusion.repair.maintenance.booking.wizard.line",
        "wizard_id",
        string="Free Times",
        compute="_compute_line_ids",
        store=True,
        readonly=True,
    )

    @api.depends("contract_id")
    def _compute_tz_label(self):
        for wizard in self:
            wizard.tz_label = (
                booking_slots.timezone_label(wizard.contract_id._get_booking_tz(), self.env.lang)
                if wizard.contract_id
                else False
            )

    @api.depends("contract_id")
    def _compute_current_visit(self):
        for wizard in self:
            task = wizard.contract_id._get_current_booking_task() if wizard.contract_id else False
            wizard.current_visit = (
                self.env._(
                    "%(when)s with %(technician)s",
                    when=wizard.contract_id._format_booking_datetime(task.scheduled_start),
                    technician=task.technician_id.name,
                )
                if task
                else False
            )

    @api.depends("contract_id", "ignore_min_notice", "technician_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            if wizard.contract_id:
                commands += [Command.create(values) for values in wizard._prepare_line_values()]
            wizard.line_ids = commands

    def _prepare_line_values(self):
        self.ensure_one()
        contract = self.contract_id
        slots = contract._get_available_slots(min_notice_hours=0 if self.ignore_min_notice else None)
        if self.technician_id:
            slots = [slot for slot in slots if self.technician_id.id in slot["technician_ids"]]
        tz_name = contract._get_booking_tz()
        lang = self.env.lang
        window = contract._get_booking_settings()["arrival_window_minutes"]
        current = contract._get_current_booking_task()
        values = []
        for slot in slots:
            _start, window_end = booking_slots.arrival_window(slot["start"], window)
            values.append(
                {
                    "slot_start": slot["start"],
                    "slot_end": slot["end"],
                    "day_label": booking_slots.format_day(slot["start"], tz_name, lang),
                    "window_label": self.env._(
                        "%(start)s to %(end)s",
                        start=booking_slots.format_time(slot["start"], tz_name, lang),
                        end=booking_slots.format_time(window_end, tz_name, lang),
                    ),
                    "technician_ids": [Command.set(slot["technician_ids"])],
                    "is_current": bool(current) and current.scheduled_start == slot["start"],
                }
            )
        return values

    def _book_line(self, line):
        """Book the visit at ``line`` through the shared ``book_slot``."""
        self.ensure_one()
        contract = self.contract_id
        task = contract.book_slot(
            line.slot_start, technician=self.technician_id or None, ignore_min_notice=self.ignore_min_notice
        )
        task = task.sudo()  # staff may book without rights on technician tasks
        if self.send_confirmation:
            contract._send_booking_confirmation(task)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Visit booked for %(when)s with %(technician)s.",
                    when=contract._format_booking_datetime(task.scheduled_start),
                    technician=task.technician_id.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
