import logging
import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..lib import reminder_bands

_logger = logging.getLogger(__name__)

BOOKING_ROUTE = "/repairs/maintenance/book"
REMINDER_BATCH_SIZE = 100


def _new_booking_token():
    # 32 random bytes = 256 bits, URL safe (43 characters)
    return secrets.token_urlsafe(32)


class FusionRepairMaintenanceContract(models.Model):
    """One maintained unit at one client: when it is due, what a visit costs,
    and the visit currently booked for it."""

    _name = "fusion.repair.maintenance.contract"
    _description = "Maintenance Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "next_due_date, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
    )
    partner_email = fields.Char(related="partner_id.email", string="Email")
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_zip = fields.Char(related="partner_id.zip", string="Postal Code")
    product_id = fields.Many2one(
        "product.product",
        string="Equipment",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        tracking=True,
        copy=False,
        domain="[('product_id', '=', product_id)]",
        check_company=True,
    )
    x_fc_device_serial = fields.Char(
        string="Serial (Text)",
        index=True,
        copy=False,
        help="Serial number of the unit when it is not (yet) a stock lot.",
    )
    serial_display = fields.Char(string="Serial Number", compute="_compute_serial_display")
    original_sale_order_id = fields.Many2one(
        "sale.order",
        string="Original Sales Order",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    x_fc_source_sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Source Sale Line",
        index="btree_not_null",
        copy=False,
    )
    x_fc_source = fields.Selection(
        [
            ("sale", "New Sale"),
            ("backfill", "Backfill"),
            ("claims", "Claims Bridge"),
            ("manual", "Manual"),
        ],
        string="Source",
        default="manual",
        required=True,
        index=True,
    )
    x_fc_policy_category_id = fields.Many2one(
        "fusion.repair.product.category",
        string="Maintenance Policy",
        compute="_compute_policy",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    interval_months = fields.Integer(
        string="Interval (Months)",
        required=True,
        compute="_compute_policy",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_policy",
        store=True,
        readonly=False,
        precompute=True,
    )
    x_fc_maintenance_fee = fields.Monetary(
        string="Maintenance Fee",
        currency_field="currency_id",
        compute="_compute_policy",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Flat fee (before tax) of one maintenance visit of this unit.",
    )
    delivery_date = fields.Date(
        string="Delivered On",
        copy=False,
        help="Date the unit was delivered to the client; the first visit is counted from it.",
    )
    last_service_date = fields.Date(string="Last Service", tracking=True, copy=False)
    next_due_date = fields.Date(
        string="Next Due",
        required=True,
        index=True,
        tracking=True,
        compute="_compute_next_due_date",
        store=True,
        readonly=False,
        precompute=True,
    )
    due_status = fields.Selection(
        [("overdue", "Overdue"), ("due_soon", "Due Soon"), ("later", "Later")],
        compute="_compute_due_status",
    )
    state = fields.Selection(
        [("active", "Active"), ("paused", "Paused"), ("cancelled", "Cancelled")],
        string="Status",
        default="active",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    booking_token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _new_booking_token(),
    )
    booking_url = fields.Char(string="Booking Link", compute="_compute_booking_url")
    reminder_band_sent = fields.Integer(
        string="Reminder Sent (Days Before)",
        default=0,
        readonly=True,
        copy=False,
        help="Most urgent reminder band handled in the current cycle, in days "
        "before the due date (0 = no reminder yet).",
    )
    reminder_last_sent = fields.Datetime(string="Last Reminder", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    notes = fields.Html()

    # ── Current booking (one per cycle; cleared by the roll-forward) ────────
    task_id = fields.Many2one(
        "fusion.technician.task",
        string="Booked Visit",
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    calendar_event_id = fields.Many2one("calendar.event", copy=False)
    repair_order_id = fields.Many2one(
        "repair.order",
        copy=False,
        index="btree_not_null",
    )
    is_booked = fields.Boolean(
        string="Booked",
        compute="_compute_is_booked",
        store=True,
        index=True,
    )
    scheduled_start = fields.Datetime(
        string="Visit Scheduled",
        related="task_id.scheduled_start",
    )

    _booking_token_unique = models.UniqueIndex(
        "(booking_token)",
        "A booking link must be unique.",
    )
    _interval_positive = models.Constraint(
        "CHECK(interval_months > 0)",
        "The maintenance interval must be at least one month.",
    )
    _fee_positive = models.Constraint(
        "CHECK(x_fc_maintenance_fee >= 0)",
        "The maintenance fee cannot be negative.",
    )
    _reminder_due_idx = models.Index("(next_due_date, reminder_band_sent) WHERE state = 'active'")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("lot_id", "x_fc_device_serial")
    def _compute_serial_display(self):
        for contract in self:
            contract.serial_display = contract.lot_id.name or contract.x_fc_device_serial or False

    @api.depends("product_id")
    def _compute_policy(self):
        """Snapshot the policy of the product (override) or of its category."""
        for contract in self:
            policy = (
                contract.product_id.product_tmpl_id._get_maintenance_policy() if contract.product_id else None
            )
            if policy:
                contract.x_fc_policy_category_id = policy["category"]
                contract.interval_months = policy["interval_months"]
                contract.x_fc_maintenance_fee = policy["fee"]
                contract.currency_id = policy["currency"]
            else:
                contract.x_fc_policy_category_id = (
                    contract.x_fc_policy_category_id
                    or contract.product_id.product_tmpl_id.x_fc_repair_category_id
                )
                contract.interval_months = contract.interval_months or 6
                contract.x_fc_maintenance_fee = contract.x_fc_maintenance_fee or 0.0
                contract.currency_id = (
                    contract.currency_id or contract.company_id.currency_id or self.env.company.currency_id
                )

    @api.depends("interval_months", "last_service_date")
    def _compute_next_due_date(self):
        """Default due date only: a date already set is never moved here."""
        today = fields.Date.context_today(self)
        for contract in self:
            if contract.next_due_date:
                contract.next_due_date = contract.next_due_date
                continue
            base = contract.last_service_date or today
            contract.next_due_date = base + relativedelta(months=contract.interval_months or 6)

    @api.depends("next_due_date", "state")
    def _compute_due_status(self):
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=30)
        for contract in self:
            if contract.state != "active" or not contract.next_due_date:
                contract.due_status = False
            elif contract.next_due_date < today:
                contract.due_status = "overdue"
            elif contract.next_due_date <= soon:
                contract.due_status = "due_soon"
            else:
                contract.due_status = "later"

    @api.depends("task_id.state")
    def _compute_is_booked(self):
        for contract in self:
            contract.is_booked = bool(contract.task_id) and contract.task_id.state not in (
                "done",
                "cancelled",
            )

    @api.depends("booking_token")
    def _compute_booking_url(self):
        for contract in self:
            contract.booking_url = contract._get_booking_url() if contract.booking_token else False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].with_company(
                    vals.get("company_id") or self.env.company.id
                ).next_by_code("fusion.repair.maintenance.contract") or self.env._("New")
        return super().create(vals_list)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for vals in vals_list:
            vals.setdefault("booking_token", _new_booking_token())
        return vals_list

    # ------------------------------------------------------------------
    # Booking link
    # ------------------------------------------------------------------

    def _get_booking_url(self):
        """Full public URL of the booking page of this cycle."""
        self.ensure_one()
        return f"{self.get_base_url()}{BOOKING_ROUTE}/{self.sudo().booking_token}"

    def _regenerate_booking_token(self):
        """Issue a new link: the previous one stops working at once."""
        for contract in self:
            contract.sudo().booking_token = _new_booking_token()

    def _roll_forward(self, service_date):
        """Close the current cycle after a visit on ``service_date``: next due
        date counted from the service, new booking link, reminders reset and the
        current booking cleared."""
        service_date = fields.Date.to_date(service_date)
        for contract in self:
            next_due = service_date + relativedelta(months=contract.interval_months)
            contract.sudo().write(
                {
                    "last_service_date": service_date,
                    "next_due_date": next_due,
                    "booking_token": _new_booking_token(),
                    "reminder_band_sent": 0,
                    "reminder_last_sent": False,
                    "task_id": False,
                    "calendar_event_id": False,
                    "repair_order_id": False,
                }
            )
            contract.message_post(
                body=self.env._(
                    "Serviced on %(service)s. Next maintenance due on %(due)s.",
                    service=fields.Date.to_string(service_date),
                    due=fields.Date.to_string(next_due),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _fc_anchor_on_delivery(self, delivered_on, lot=None):
        """Count the cycle from the real delivery (and take the delivered lot)."""
        self.ensure_one()
        values = {
            "delivery_date": delivered_on,
            "next_due_date": delivered_on + relativedelta(months=self.interval_months),
        }
        if lot:
            values.update({"lot_id": lot.id, "x_fc_device_serial": lot.name})
        self.write(values)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_pause(self):
        return self._action_pause()

    def action_resume(self):
        return self._action_resume()

    def action_cancel(self):
        return self._action_cancel()

    def _check_not_booked(self, action_label):
        booked = self.filtered("is_booked")
        if booked:
            raise UserError(
                self.env._(
                    "Cannot %(action)s %(contracts)s: a maintenance visit is booked. Cancel the visit first.",
                    action=action_label,
                    contracts=", ".join(booked.mapped("display_name")),
                )
            )

    def _action_pause(self):
        contracts = self.filtered(lambda c: c.state == "active")
        contracts._check_not_booked(self.env._("pause"))
        contracts.state = "paused"
        return True

    def _action_resume(self):
        self.filtered(lambda c: c.state == "paused").state = "active"
        return True

    def _action_cancel(self):
        contracts = self.filtered(lambda c: c.state != "cancelled")
        contracts._check_not_booked(self.env._("cancel"))
        contracts.state = "cancelled"
        return True

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.original_sale_order_id.id,
            "views": [(False, "form")],
        }

    def action_view_task(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "fusion.technician.task",
            "res_id": self.task_id.id,
            "views": [(False, "form")],
        }

    def action_view_repair_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": self.repair_order_id.id,
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------
    # Due reminders (daily cron)
    # ------------------------------------------------------------------

    @api.model
    def _get_reminder_bands(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("fusion_repairs.reminder_bands", reminder_bands.DEFAULT_BANDS)
        )
        try:
            return reminder_bands.parse_bands(value)
        except ValueError:
            _logger.info("Invalid reminder bands %r, using %s", value, reminder_bands.DEFAULT_BANDS)
            return reminder_bands.parse_bands(reminder_bands.DEFAULT_BANDS)

    @api.model
    def _get_reminder_domain(self, today=None, bands=None):
        """Active contracts without a booked visit that are inside a reminder
        band not handled yet this cycle (exactly the contracts for which
        ``reminder_bands.band_to_send`` is not None)."""
        today = today or fields.Date.context_today(self)
        bands = bands or self._get_reminder_bands()
        band_domains = []
        for band, lower in reminder_bands.band_windows(bands):
            window = Domain("next_due_date", "<=", today + timedelta(days=band))
            if lower is not None:
                window &= Domain("next_due_date", ">", today + timedelta(days=lower))
            not_sent = Domain("reminder_band_sent", "=", 0) | Domain("reminder_band_sent", ">", band)
            band_domains.append(window & not_sent)
        return Domain("state", "=", "active") & Domain("is_booked", "=", False) & Domain.OR(band_domains)

    @api.model
    def cron_maintenance_due_reminders(self):
        """Public alias of :meth:`_cron_maintenance_due_reminders` (spec name)."""
        return self._cron_maintenance_due_reminders()

    @api.model
    def _cron_maintenance_due_reminders(self, batch_size=REMINDER_BATCH_SIZE):
        """Send each due contract the most urgent reminder band it has not had.

        Works in bounded batches and commits after each one: every handled
        contract is stamped with its band, so it leaves the domain and a rerun
        (or the scheduler's next call) never sends it the same band twice.
        """
        bands = self._get_reminder_bands()
        today = fields.Date.context_today(self)
        domain = self._get_reminder_domain(today=today, bands=bands)
        handled_ids = []
        while True:
            contracts = self.search(
                domain & Domain("id", "not in", handled_ids),
                order="next_due_date, id",
                limit=batch_size,
            )
            if not contracts:
                self.env["ir.cron"]._commit_progress(remaining=0)
                break
            for contract in contracts:
                days_left = (contract.next_due_date - today).days
                band = reminder_bands.band_to_send(days_left, bands, contract.reminder_band_sent)
                if band:
                    contract._send_due_reminder(band)
            handled_ids += contracts.ids
            remaining = self.search_count(domain & Domain("id", "not in", handled_ids))
            time_left = self.env["ir.cron"]._commit_progress(len(contracts), remaining=remaining)
            if not remaining or time_left <= 0:
                break
        return True

    def _get_reminder_problem(self):
        """Why the reminder cannot be emailed to the client, or False."""
        self.ensure_one()
        partner = self.partner_id
        if not partner.email:
            return self.env._("%s has no email address.", partner.display_name)
        if not email_normalize(partner.email):
            return self.env._(
                "The email address of %(partner)s is not valid: %(email)s",
                partner=partner.display_name,
                email=partner.email,
            )
        return False

    def _send_due_reminder(self, band):
        """Email the due reminder of ``band`` through the chatter. A failure is
        logged on the contract (note + activity) and never raised, so one bad
        contract does not stop the others. The band is stamped either way."""
        self.ensure_one()
        template = self.env.ref(
            "fusion_repairs.email_template_maintenance_due_reminder", raise_if_not_found=False
        )
        problem = self._get_reminder_problem()
        if not problem and not template:
            problem = self.env._("The maintenance reminder email template is missing.")
        sent = False
        if not problem:
            try:
                with self.env.cr.savepoint():
                    self.with_company(self.company_id).message_post_with_source(
                        template,
                        subtype_xmlid="mail.mt_comment",
                        message_type="comment",
                        email_layout_xmlid="mail.mail_notification_light",
                        force_send=False,
                    )
                sent = True
            except Exception as error:
                # the savepoint undid the partial message; keep the reason
                _logger.info("Maintenance reminder of %s failed", self.display_name, exc_info=True)
                problem = self.env._("The email could not be prepared: %s", error)
        values = {"reminder_band_sent": band}
        if sent:
            values["reminder_last_sent"] = fields.Datetime.now()
        else:
            self._log_reminder_failure(band, problem)
        self.write(values)
        return sent

    def _log_reminder_failure(self, band, problem):
        self.ensure_one()
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._("The %s-day maintenance reminder was not sent.", band),
                problem,
            ),
            subtype_xmlid="mail.mt_note",
        )
        activity_type = self.env.ref(
            "fusion_repairs.mail_activity_type_maintenance_follow_up", raise_if_not_found=False
        )
        if not activity_type or not self.user_id or self.user_id.share:
            return
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        self.activity_schedule(
            activity_type_id=activity_type.id,
            summary=self.env._("Maintenance reminder not sent"),
            note=problem,
            user_id=self.user_id.id,
        )

    # ------------------------------------------------------------------
    # Booking (self-serve page and office): see issue 3.
    # book_slot(), cancel_booking(), _get_available_slots() and their helpers
    # are added below this line.
    # ------------------------------------------------------------------
