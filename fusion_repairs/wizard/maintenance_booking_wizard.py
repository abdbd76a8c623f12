from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..lib import booking_slots
from ..lib.booking_slots import BOOKED, BY_OFFICE, MOVED, UNCHANGED


class FusionRepairMaintenanceBookingWizard(models.TransientModel):
    """Office booking: pick a day, then one of its free arrival windows (the ones the client
    would see, plus earlier ones staff may offer), optionally the technician; one Book button.

    The wizard is created with its free times (``line_ids``) when it opens; the day, the
    technician and "Ignore minimum notice" only filter them (``available_line_ids``)."""

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
        domain="[('id', 'in', technician_option_ids)]",
        help="Leave empty to give the visit to the least busy qualified technician. "
        "Only the times this technician can take are listed.",
    )
    technician_option_ids = fields.Many2many("res.users", compute="_compute_technician_option_ids")
    send_confirmation = fields.Boolean(
        string="Email the client",
        default=True,
        help="Email the client the confirmation (with a calendar file).",
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
    booking_date = fields.Date(
        string="Day", help="A day with free times (the booked visit's day, else the first free day, is proposed)."
    )
    booking_day_label = fields.Char(string="Chosen day", compute="_compute_booking_day_label")
    available_line_ids = fields.Many2many(
        "fusion.repair.maintenance.booking.wizard.line", compute="_compute_available_line_ids"
    )
    slot_line_id = fields.Many2one(
        "fusion.repair.maintenance.booking.wizard.line",
        string="Time",
        domain="[('id', 'in', available_line_ids)]",
        help="The window in which the technician arrives.",
    )
    day_note = fields.Char(compute="_compute_available_line_ids")
    opening_note = fields.Char(compute="_compute_opening_note")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

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

    @api.depends("booking_date")
    def _compute_booking_day_label(self):
        for wizard in self:
            wizard.booking_day_label = booking_slots.format_day_date(wizard.booking_date, self.env.lang)

    @api.depends("contract_id")
    def _compute_opening_note(self):
        for wizard in self:
            label = wizard.contract_id._get_booking_opening_label() if wizard.contract_id else False
            wizard.opening_note = (
                self.env._(
                    "Online booking opens for the client on %s. You may book an earlier time for them here.",
                    label,
                )
                if label
                else False
            )

    @api.depends("contract_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            if wizard.contract_id:
                commands += [Command.create(values) for values in wizard._prepare_line_values()]
            wizard.line_ids = commands

    def _get_all_lines(self):
        """All free times as real records, also while the form is being edited (onchange)."""
        self.ensure_one()
        if self._origin.id:
            return self.env["fusion.repair.maintenance.booking.wizard.line"].search(
                [("wizard_id", "=", self._origin.id)]
            )
        return self.line_ids

    def _lines_for_options(self):
        """The free times allowed by "Ignore minimum notice" and the technician."""
        self.ensure_one()
        lines = self._get_all_lines()
        if not self.ignore_min_notice:
            lines = lines.filtered(lambda line: not line.short_notice)
        if self.technician_id:
            lines = lines.filtered(lambda line: self.technician_id in line.technician_ids)
        return lines

    @api.depends("line_ids", "ignore_min_notice")
    def _compute_technician_option_ids(self):
        for wizard in self:
            lines = wizard._get_all_lines()
            if not wizard.ignore_min_notice:
                lines = lines.filtered(lambda line: not line.short_notice)
            wizard.technician_option_ids = lines.technician_ids

    @api.depends("line_ids", "ignore_min_notice", "technician_id", "booking_date")
    def _compute_available_line_ids(self):
        for wizard in self:
            lines = wizard._lines_for_options()
            day_lines = lines.filtered(lambda line, day=wizard.booking_date: line.slot_date == day)
            # real records (also in an onchange): the time picker searches them
            wizard.available_line_ids = day_lines._origin
            note = False
            if not day_lines:
                later = lines.filtered(lambda line, day=wizard.booking_date: not day or line.slot_date > day)
                if later:
                    note = self.env._("No free time that day. The next free day is %s.", later[0].day_label)
                elif lines:
                    note = self.env._("No free time that day. The last free day is %s.", lines[-1].day_label)
                else:
                    note = wizard._get_no_slot_reason()
            wizard.day_note = note

    def _get_no_slot_reason(self):
        """Why nothing at all is free: nobody qualified for this client, or nobody free."""
        self.ensure_one()
        contract = self.contract_id
        skill = contract._get_booking_category().x_fc_maintenance_skill_id
        Task = self.env["fusion.technician.task"].sudo().with_company(contract.company_id)
        if Task._get_candidate_technicians(skill=skill, postal_code=contract.partner_id.zip):
            return self.env._("No free time in the booking horizon: check the technicians' schedules.")
        if skill and not Task._get_candidate_technicians(skill=skill):
            return self.env._("No technician has the skill %s: check the technicians' skills.", skill.name)
        return self.env._(
            "No qualified technician serves postal code %s: check the service zones.", contract.partner_id.zip
        )

    # ------------------------------------------------------------------
    # Onchanges: keep the day and the time consistent with the options
    # ------------------------------------------------------------------

    @api.onchange("ignore_min_notice")
    def _onchange_ignore_min_notice(self):
        # the sooner times are what staff want to see
        lines = self._lines_for_options()
        if lines:
            self.booking_date = lines[0].slot_date
        self._onchange_booking_date()

    @api.onchange("technician_id")
    def _onchange_options(self):
        lines = self._lines_for_options()
        if lines and (not self.booking_date or self.booking_date not in lines.mapped("slot_date")):
            self.booking_date = lines[0].slot_date
        self._onchange_booking_date()

    @api.onchange("booking_date")
    def _onchange_booking_date(self):
        # never a time the person on the phone did not choose
        if self.slot_line_id._origin not in self.available_line_ids._origin:
            self.slot_line_id = False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # compute (create) the free times now, so that the dialog opens on a saved wizard
        wizards.mapped("line_ids")
        for wizard in wizards.filtered(lambda wizard: not wizard.booking_date):
            # the day of the booked visit when moving it, else the first free day; no time is
            # chosen for staff, so that "Book" never takes a time nobody picked
            lines = wizard._lines_for_options()
            current = lines.filtered("is_current")
            wizard.booking_date = (current or lines)[:1].slot_date
        return wizards

    def _prepare_line_values(self):
        self.ensure_one()
        contract = self.contract_id
        slots = contract._get_available_slots(min_notice_hours=0)
        tz_name = contract._get_booking_tz()
        lang = self.env.lang
        settings = contract._get_booking_settings()
        now = fields.Datetime.now()
        notice_from = now + timedelta(hours=settings["min_notice_hours"])
        opens_at = contract._get_booking_opens_at()
        current = contract._get_current_booking_task()
        values = []
        for slot in slots:
            _start, window_end = booking_slots.arrival_window(slot["start"], settings["arrival_window_minutes"])
            values.append(
                {
                    "slot_start": slot["start"],
                    "slot_end": slot["end"],
                    "slot_date": booking_slots.to_local(slot["start"], tz_name).date(),
                    "day_label": booking_slots.format_day(slot["start"], tz_name, lang),
                    "window_label": booking_slots.format_window(slot["start"], window_end, tz_name, lang),
                    "technician_ids": [Command.set(slot["technician_ids"])],
                    "is_current": bool(current) and current.scheduled_start == slot["start"],
                    "short_notice": slot["start"] < notice_from,
                    "before_opening": bool(opens_at) and slot["start"] < opens_at,
                }
            )
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_book(self):
        """The footer button: book (or move) the visit at the chosen time."""
        self.ensure_one()
        if not self.slot_line_id:
            raise UserError(self.env._("Choose the time of the visit first."))
        return self._book_line(self.slot_line_id)

    def _book_line(self, line):
        """Book the visit at ``line`` through the contract's one door (``book_slot``)."""
        self.ensure_one()
        contract = self.contract_id
        result = contract.book_slot(
            line.slot_start,
            technician=self.technician_id or None,
            by=BY_OFFICE,
            ignore_min_notice=self.ignore_min_notice,
            notify=self.send_confirmation,
        )
        task = self.env["fusion.technician.task"].sudo().browse(result["task_id"])  # staff may lack task rights
        values = {
            "when": contract._format_booking_datetime(task.scheduled_start),
            "technician": task.technician_id.name,
        }
        messages = {
            BOOKED: self.env._("Visit booked for %(when)s with %(technician)s.", **values),
            MOVED: self.env._("Visit moved to %(when)s with %(technician)s.", **values),
            UNCHANGED: self.env._("The visit stays on %(when)s with %(technician)s: nothing changed.", **values),
        }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if result["status"] != UNCHANGED else "info",
                "message": messages[result["status"]],
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
