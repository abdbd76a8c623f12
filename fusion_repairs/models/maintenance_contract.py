import logging
import secrets
from datetime import datetime, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import SQL, email_normalize, format_date

from ..lib import booking_slots, reminder_bands

try:
    import vobject
except ImportError:  # optional, as in the calendar module (no .ics without it)
    vobject = None

_logger = logging.getLogger(__name__)

BOOKING_ROUTE = "/repairs/maintenance/book"
REMINDER_BATCH_SIZE = 100
# advisory lock namespace ("FT") of a technician's schedule while a visit is booked
TECHNICIAN_SCHEDULE_LOCK = 0x4654


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
    # cancelled because its sale was cancelled or its quantity lowered: reconfirming or
    # raising the quantity again reactivates it instead of enrolling the unit twice
    cancelled_with_sale = fields.Boolean(copy=False, readonly=True)
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
    reminder_summary = fields.Char(string="Reminders", compute="_compute_reminder_summary")
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
    # ── History: every visit of this unit (the booked one included) ─────────
    task_ids = fields.One2many("fusion.technician.task", "maintenance_contract_id", string="Visits")
    visit_count = fields.Integer(string="Visit Count", compute="_compute_visit_count")

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
            policy = contract.product_id.product_tmpl_id._get_maintenance_policy() if contract.product_id else None
            if policy:
                contract.x_fc_policy_category_id = policy["category"]
                contract.interval_months = policy["interval_months"]
                contract.x_fc_maintenance_fee = policy["fee"]
                contract.currency_id = policy["currency"]
            else:
                contract.x_fc_policy_category_id = (
                    contract.x_fc_policy_category_id or contract.product_id.product_tmpl_id.x_fc_repair_category_id
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

    @api.depends("reminder_band_sent", "reminder_last_sent")
    def _compute_reminder_summary(self):
        for contract in self:
            band = contract.reminder_band_sent
            if not band:
                contract.reminder_summary = self.env._("None yet this cycle")
            elif contract.reminder_last_sent:
                when = (
                    self.env._("1 day before due") if band == 1 else self.env._("%(days)s days before due", days=band)
                )
                contract.reminder_summary = self.env._(
                    "Last reminder: %(when)s, on %(date)s",
                    when=when,
                    date=format_date(
                        self.env,
                        fields.Datetime.context_timestamp(contract, contract.reminder_last_sent),
                        date_format="MMM d",
                    ),
                )
            else:
                contract.reminder_summary = self.env._(
                    "The %(days)s-day reminder was not emailed (see the chatter)", days=band
                )

    def _compute_visit_count(self):
        counts = dict(
            self.env["fusion.technician.task"]
            .sudo()
            ._read_group(
                [("maintenance_contract_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["maintenance_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.visit_count = counts.get(contract._origin, 0)

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

    def _roll_forward(self, service_date, task=None):
        """Close the current cycle after a visit on ``service_date``: next due
        date counted from the service, new booking link, reminders reset and the
        current booking cleared. One note on the chatter says so (naming the
        visit ``task`` when there is one)."""
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
            service_words = format_date(self.env, service_date, date_format="long")
            due_words = format_date(self.env, next_due, date_format="long")
            if task:
                body = self.env._(
                    "Maintenance visit %(task)s done by %(technician)s on %(service)s. "
                    "Next maintenance due on %(due)s.",
                    task=task.name,
                    technician=task.technician_id.name,
                    service=service_words,
                    due=due_words,
                )
            else:
                body = self.env._(
                    "Serviced on %(service)s. Next maintenance due on %(due)s.",
                    service=service_words,
                    due=due_words,
                )
            contract.message_post(body=body, subtype_xmlid="mail.mt_note")
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
        return self._action_open_form(self.original_sale_order_id)

    def action_view_task(self):
        self.ensure_one()
        return self._action_open_form(self.task_id)

    def action_view_visits(self):
        """Every visit of this unit (cancelled bookings left out), newest first."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Visits of %s", self.display_name),
            "res_model": "fusion.technician.task",
            "views": [(False, "list"), (False, "form"), (False, "calendar")],
            "domain": [("maintenance_contract_id", "=", self.id), ("state", "!=", "cancelled")],
            "context": {"default_maintenance_contract_id": self.id, "default_partner_id": self.partner_id.id},
        }

    def action_view_repair_order(self):
        self.ensure_one()
        return self._action_open_form(self.repair_order_id)

    @api.model
    def _action_open_form(self, record):
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
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
    def _cron_maintenance_due_reminders(self, batch_size=None):
        """Send each due contract the most urgent reminder band it has not had.

        Works in bounded batches and commits after each one: every handled
        contract is stamped with its band, so it leaves the domain and a rerun
        (or the scheduler's next call) never sends it the same band twice.
        """
        batch_size = batch_size or REMINDER_BATCH_SIZE
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
        template = self.env.ref("fusion_repairs.email_template_maintenance_due_reminder", raise_if_not_found=False)
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
                        # to the client only: followers (the responsible) get no copy, nor
                        # the record's suggested recipients (the company)
                        notify_skip_followers=True,
                        partner_ids=[Command.set(self.partner_id.ids)],
                    )
                sent = True
            except Exception as error:
                # the savepoint undid the partial message; keep the reason
                _logger.info("Maintenance reminder of %s failed", self.display_name, exc_info=True)
                # first paragraph only: render errors append the template source
                detail = str(error).split("\n\n", 1)[0][:500]
                problem = self.env._("The email could not be prepared: %s", detail)
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

    @api.model
    def _get_booking_settings(self):
        """The booking settings (``ir.config_parameter``), as integers."""
        get_param = self.env["ir.config_parameter"].sudo().get_param

        def _int(key, default):
            try:
                return max(int(get_param(f"fusion_repairs.{key}", default)), 0)
            except (TypeError, ValueError):
                return default

        return {
            "horizon_days": _int("booking_horizon_days", 21) or 21,
            "min_notice_hours": _int("booking_min_notice_hours", 24),
            "grid_minutes": _int("booking_grid_minutes", 30) or 30,
            "cutoff_hours": _int("booking_cutoff_hours", 24),
            "arrival_window_minutes": _int("arrival_window_minutes", 60),
        }

    def _get_booking_tz(self):
        """The zone slots are offered on (start grid) and shown in: the company's, as the
        availability engine sees it."""
        company = self.company_id or self.env.company
        tz = self.env["fusion.technician.task"].with_company(company)._get_company_tz()
        return getattr(tz, "zone", None) or str(tz)

    def _get_visit_preparation_items(self):
        """What the client should do before the technician comes (page and email)."""
        self.ensure_one()
        equipment = self.product_id.name or self.env._("equipment")
        items = [
            self.env._(
                "Make sure the technician can reach your %s, with about a metre of clear space around it.",
                equipment,
            ),
            self.env._("Have an adult at home for the whole arrival window and the visit."),
            self.env._("Keep pets in another room during the visit."),
            self.env._("Note any noise, error message or problem you have noticed, so the technician can check it."),
        ]
        equipment_class = self._get_booking_category().equipment_class
        if equipment_class in ("mobility_power", "lift_elevating"):
            items.insert(1, self.env._("Charge it fully the day before, and have any keys or remote controls ready."))
        return items

    def _get_booking_category(self):
        self.ensure_one()
        return self.x_fc_policy_category_id or self.product_id.product_tmpl_id.x_fc_repair_category_id

    def _get_visit_duration_hours(self):
        self.ensure_one()
        return self._get_booking_category().x_fc_visit_duration_hours or 1.5

    def _get_current_booking_task(self):
        """The booked visit of this cycle (not done, not cancelled), or an empty recordset.
        In sudo: office staff and the public page read it without rights on tasks."""
        self.ensure_one()
        task = self.sudo().task_id
        return task if task and task.state not in ("done", "cancelled") else task.browse()

    def _get_available_slots(self, now=None, min_notice_hours=None, exclude_tasks=None):
        """Bookable arrival windows for this unit: technicians with the category's skill who
        serve the client's postal code, for the category's visit length, within the booking
        horizon. The visit already booked counts as free (it is the one being moved).

        :return: list of ``{'start', 'end', 'technician_ids'}`` (naive UTC), sorted.
        """
        self.ensure_one()
        settings = self._get_booking_settings()
        if min_notice_hours is None:
            min_notice_hours = settings["min_notice_hours"]
        category = self._get_booking_category()
        exclude = self.env["fusion.technician.task"].sudo()
        exclude |= self._get_current_booking_task().sudo()
        if exclude_tasks:
            exclude |= exclude_tasks.sudo()
        slots = (
            self.env["fusion.technician.task"]
            .sudo()
            .with_company(self.company_id)
            ._get_bookable_slots(
                skill=category.x_fc_maintenance_skill_id,
                postal_code=self.partner_id.zip,
                duration_hours=self._get_visit_duration_hours(),
                now=now or fields.Datetime.now(),
                horizon_days=settings["horizon_days"],
                min_notice_hours=min_notice_hours,
                grid_minutes=settings["grid_minutes"],
                exclude_tasks=exclude,
            )
        )
        opens_at = self.env.context.get("fusion_booking_client") and self._get_booking_opens_at()
        if opens_at:
            # the client books from the opening day on (the office may book earlier)
            slots = [slot for slot in slots if slot["start"] >= opens_at]
        return slots

    def _get_booking_opening_date(self):
        """The day online booking of this cycle's visit opens: the largest reminder band
        before the due date (the first reminder's day), or False without a due date."""
        self.ensure_one()
        if not self.next_due_date:
            return False
        return self.next_due_date - timedelta(days=max(self._get_reminder_bands()))

    def _get_booking_opens_at(self):
        """Naive UTC start of the opening day in the booking zone (False: always open)."""
        self.ensure_one()
        opening = self._get_booking_opening_date()
        if not opening:
            return False
        tz = pytz.timezone(self._get_booking_tz())
        local = tz.localize(datetime.combine(opening, datetime.min.time()))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _get_booking_opening_label(self, now=None):
        """ "Monday, April 21, 2027" while online booking is not open yet, else False."""
        self.ensure_one()
        opens_at = self._get_booking_opens_at()
        if not opens_at or (now or fields.Datetime.now()) >= opens_at:
            return False
        return booking_slots.format_day_date(self._get_booking_opening_date(), self.partner_id.lang or self.env.lang)

    def _booking_change_deadline(self):
        """Until when the client may still move or cancel the booked visit online."""
        self.ensure_one()
        task = self._get_current_booking_task()
        if not task:
            return False
        return task.scheduled_start - timedelta(hours=self._get_booking_settings()["cutoff_hours"])

    def _booking_change_allowed(self, now=None):
        """Whether the client may still move or cancel the booked visit from the link."""
        self.ensure_one()
        task = self._get_current_booking_task()
        if not task or task.state != "scheduled":
            return bool(not task)
        return (now or fields.Datetime.now()) < self._booking_change_deadline()

    def _get_booking_refusal_message(self, reason):
        settings = self._get_booking_settings()
        phone = (self.company_id or self.env.company).phone
        call = self.env._(" Please call us at %s.", phone) if phone else ""
        messages = {
            booking_slots.SLOT_INVALID: self.env._(
                "That time could not be read. Please choose one of the times shown."
            ),
            booking_slots.SLOT_PAST: self.env._("That time has already passed. Please choose one of the times shown."),
            booking_slots.SLOT_TOO_SOON: self.env._(
                "Visits must be booked at least %s hours ahead. Please choose a later time.",
                settings["min_notice_hours"],
            ),
            booking_slots.SLOT_TOO_FAR: self.env._(
                "Visits can be booked up to %s days ahead. Please choose one of the times shown.",
                settings["horizon_days"],
            ),
            booking_slots.SLOT_OFF_GRID: self.env._(
                "That is not one of the offered start times. Please choose one of the times shown."
            ),
            "unavailable": self.env._("No technician is available at that time. Please choose one of the times shown."),
            "taken": self.env._("That time was just taken. Please choose another time below."),
            "session": self.env._(
                "This page had been open for a long time, so nothing has been changed. "
                "Please make your choice again below."
            ),
            "inactive": self.env._("This maintenance plan cannot be booked online.") + call,
            "cutoff": self.env._(
                "Your visit is less than %s hours away, so it can no longer be changed online.",
                settings["cutoff_hours"],
            )
            + call,
            "started": self.env._("Your visit has already started and can no longer be changed.") + call,
            "not_open": self.env._(
                "Online booking of this visit opens on %s. Please choose a time from that day on.",
                self._get_booking_opening_date()
                and booking_slots.format_day_date(
                    self._get_booking_opening_date(), self.partner_id.lang or self.env.lang
                ),
            )
            + call,
        }
        return messages[reason]

    def _booking_refusal(self, reason):
        """The ``BookingError`` (a ``UserError``) to raise for ``reason``."""
        return booking_slots.BookingError(self._get_booking_refusal_message(reason), reason)

    def _lock_for_booking(self):
        """Lock the contract row until the end of the transaction, *waiting* for a
        concurrent booking of the same contract (``lock_for_update`` skips locked rows and
        would refuse a double click instead of letting it find the finished booking). If the
        other transaction changed the row, PostgreSQL reports a serialization failure and
        Odoo replays the request, which then sees the booking."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    def _lock_technician_schedule(self, technician):
        """Queue the bookings of one technician (transaction-level advisory lock).

        The exclusion constraint alone stays the guarantee, but concurrent inserts of
        overlapping tasks make PostgreSQL deadlock on it (each waits for the other's
        uncommitted row) and a crowd of clients may exhaust Odoo's retries. Queued, the first
        booking commits and the next ones meet its row at once: "just taken"."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", TECHNICIAN_SCHEDULE_LOCK, technician.id))

    def _pick_technician(self, slot, technician=None):
        """The technician for ``slot``: the requested one if they can take it, else the
        least-loaded one on that local day (ties: the one already assigned, then the oldest
        account)."""
        self.ensure_one()
        users = self.env["res.users"].sudo()
        candidates = users.browse(slot["technician_ids"])
        if technician:
            if technician.id not in slot["technician_ids"]:
                raise UserError(
                    self.env._(
                        "%(technician)s cannot take this visit at that time. Choose another technician or time.",
                        technician=technician.name,
                    )
                )
            return technician
        tz = pytz.timezone(self._get_booking_tz())
        local_day = booking_slots.to_local(slot["start"], tz.zone).replace(
            hour=0, minute=0, second=0, microsecond=0, tzinfo=None
        )
        day_start = tz.localize(local_day).astimezone(pytz.utc).replace(tzinfo=None)
        day_end = tz.localize(local_day + timedelta(days=1)).astimezone(pytz.utc).replace(tzinfo=None)
        load = self.env["fusion.technician.task"].sudo()._technician_load(candidates, day_start, day_end)
        current = self._get_current_booking_task().technician_id
        return min(
            candidates,
            key=lambda user: (load.get(user.id, 0), user != current, user.id),
        )

    def book_slot(self, slot_start, technician=None, *, ignore_min_notice=False):
        """Book (or move) this cycle's maintenance visit to ``slot_start``.

        Used by the client's booking page and by the office. Availability is recomputed
        under a lock on the contract, then the technician task, the calendar event and the
        repair order are created (or moved) together; on any refusal a ``UserError`` is
        raised and nothing has been created or changed.

        :param slot_start: naive UTC datetime (or its string) of the arrival window start
        :param technician: ``res.users`` to assign, or None for the least-loaded one
        :param ignore_min_notice: office override of the minimum notice
        :return: the ``fusion.technician.task`` of the visit
        """
        self.ensure_one()
        if isinstance(slot_start, str):
            slot_start = booking_slots.parse_slot_start(slot_start)
        if technician is not None and not isinstance(technician, models.BaseModel):
            technician = self.env["res.users"].browse(int(technician))
        technician = technician or None
        contract = self.sudo()
        contract._lock_for_booking()
        if contract.state != "active":
            raise contract._booking_refusal("inactive")
        task = contract._get_current_booking_task()
        # a double click, or the office confirming what is already booked
        if task and task.scheduled_start == slot_start and (not technician or task.technician_id == technician):
            return task.with_env(self.env)
        client = self.env.context.get("fusion_booking_client")
        if task and client:
            if task.state != "scheduled":
                raise contract._booking_refusal("started")
            if not contract._booking_change_allowed():
                raise contract._booking_refusal("cutoff")
        if task and task.state != "scheduled":
            raise contract._booking_refusal("started")

        settings = contract._get_booking_settings()
        now = fields.Datetime.now()
        min_notice = 0 if ignore_min_notice else settings["min_notice_hours"]
        reason = booking_slots.check_slot_start(
            slot_start,
            now,
            contract._get_booking_tz(),
            min_notice_hours=min_notice,
            horizon_days=settings["horizon_days"],
            grid_minutes=settings["grid_minutes"],
        )
        if not reason and client and slot_start < (contract._get_booking_opens_at() or slot_start):
            reason = "not_open"
        if reason:
            raise contract._booking_refusal(reason)
        slots = contract._get_available_slots(now=now, min_notice_hours=min_notice)
        slot = next((slot for slot in slots if slot["start"] == slot_start), None)
        if not slot:
            taken = contract._slot_taken_by_others(slot_start, now, min_notice)
            raise contract._booking_refusal("taken" if taken else "unavailable")
        technician = contract._pick_technician(slot, technician)
        contract._lock_technician_schedule(technician)
        try:
            with self.env.cr.savepoint():
                if task:
                    contract._move_booking(task, slot, technician)
                else:
                    task = contract._create_booking(slot, technician)
        except ValidationError:
            # the exclusion constraint: someone booked this technician meanwhile
            raise contract._booking_refusal("taken") from None
        return task.with_env(self.env)

    def _slot_taken_by_others(self, slot_start, now, min_notice_hours):
        """Whether ``slot_start`` would be free if it were not for other bookings (tasks),
        i.e. whether someone took it: tells "just taken" from "never available"."""
        self.ensure_one()
        visit = timedelta(hours=self._get_visit_duration_hours())
        others = (
            self.env["fusion.technician.task"]
            .sudo()
            .search(
                [
                    ("state", "!=", "cancelled"),
                    ("scheduled_start", "<", slot_start + visit + timedelta(days=1)),
                    ("scheduled_end", ">", slot_start - timedelta(days=1)),
                ]
            )
        )
        if not others:
            return False
        slots = self._get_available_slots(now=now, min_notice_hours=min_notice_hours, exclude_tasks=others)
        return any(slot["start"] == slot_start for slot in slots)

    def _prepare_booking_description(self):
        self.ensure_one()
        lines = [
            self.env._("Maintenance of %s", self.product_id.display_name),
            self.env._("Serial number: %s", self.serial_display) if self.serial_display else "",
            self.env._("Contract: %s", self.name),
        ]
        return Markup("<br/>").join(line for line in lines if line)

    def _prepare_booking_task_values(self, slot, technician):
        self.ensure_one()
        return {
            "task_type": "maintenance",
            "technician_id": technician.id,
            "partner_id": self.partner_id.id,
            "scheduled_start": slot["start"],
            "scheduled_end": slot["end"],
            "maintenance_contract_id": self.id,
            "notes": self._prepare_booking_description(),
            "company_id": self.company_id.id,
        }

    def _prepare_booking_event_values(self, task):
        self.ensure_one()
        return {
            "name": self.env._(
                "Maintenance of %(equipment)s for %(client)s",
                equipment=self.product_id.name,
                client=self.partner_id.name,
            ),
            "start": task.scheduled_start,
            "stop": task.scheduled_end,
            "user_id": task.technician_id.id,
            "partner_ids": [Command.set((task.technician_id.partner_id | self.partner_id).ids)],
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "location": ", ".join(self._get_client_address_lines()),
            "description": self._prepare_booking_description(),
            "show_as": "busy",
            # no "meeting" activity on the contract: the task is the to-do
            "activity_ids": [Command.clear()],
        }

    def _prepare_booking_repair_values(self, task):
        self.ensure_one()
        lot = self.lot_id if self.lot_id.product_id == self.product_id else self.lot_id.browse()
        return {
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "lot_id": lot.id,
            "schedule_date": task.scheduled_start,
            "user_id": task.technician_id.id,
            "company_id": self.company_id.id,
            "internal_notes": self._prepare_booking_description(),
        }

    def _create_booking(self, slot, technician):
        """Create the task, its calendar event and its repair order, all linked."""
        self.ensure_one()
        no_mail = {"no_mail_to_attendees": True, "mail_create_nolog": True}
        task = (
            self.env["fusion.technician.task"]
            .sudo()
            .with_context(**no_mail)
            .create(self._prepare_booking_task_values(slot, technician))
        )
        event = (
            self.env["calendar.event"].sudo().with_context(**no_mail).create(self._prepare_booking_event_values(task))
        )
        repair = (
            self.env["repair.order"]
            .sudo()
            .with_company(self.company_id)
            .create(self._prepare_booking_repair_values(task))
        )
        task.with_context(**no_mail).write({"calendar_event_id": event.id, "repair_order_id": repair.id})
        self.write({"task_id": task.id, "calendar_event_id": event.id, "repair_order_id": repair.id})
        self.message_post(
            body=self.env._(
                "Maintenance visit booked for %(when)s with %(technician)s (%(task)s).",
                when=self._format_booking_datetime(task.scheduled_start),
                technician=technician.name,
                task=task.name,
            ),
            subtype_xmlid="mail.mt_note",
            **self._get_booking_note_author(),
        )
        return task

    def _move_booking(self, task, slot, technician):
        """Move the booked visit: the same task, event and repair order, new time."""
        self.ensure_one()
        old_start = task.scheduled_start
        # the task moves its calendar event along (fusion_tasks); the caller emails the client
        no_mail = {"no_mail_to_attendees": True, "fusion_booking_move": True}
        task.sudo().with_context(**no_mail).write(
            {
                "scheduled_start": slot["start"],
                "scheduled_end": slot["end"],
                "technician_id": technician.id,
                "booking_ics_sequence": task.booking_ics_sequence + 1,
            }
        )
        if task.calendar_event_id and task.calendar_event_id.user_id != technician:
            task.calendar_event_id.sudo().with_context(**no_mail).user_id = technician
        self._sync_moved_visit(task, old_start)
        return task

    def _sync_moved_visit(self, task, old_start):
        """After ``task`` (this cycle's visit) moved from ``old_start``: its repair order
        follows and the chatter says so."""
        self.ensure_one()
        task = task.sudo()
        repair = task.repair_order_id.sudo()
        if repair and repair.state not in ("done", "cancel"):
            repair.write({"schedule_date": task.scheduled_start, "user_id": task.technician_id.id})
        self.sudo().message_post(
            body=self.env._(
                "Maintenance visit moved from %(old)s to %(new)s with %(technician)s.",
                old=self._format_booking_datetime(old_start),
                new=self._format_booking_datetime(task.scheduled_start),
                technician=task.technician_id.name,
            ),
            subtype_xmlid="mail.mt_note",
            **self._get_booking_note_author(),
        )

    def cancel_booking(self):
        """Cancel this cycle's visit (task, calendar event, repair order) and reopen booking.

        :return: the cancelled task (empty if nothing was booked)
        """
        self.ensure_one()
        contract = self.sudo()
        contract._lock_for_booking()
        task = contract._get_current_booking_task()
        if not task:
            return task
        if task.state != "scheduled":
            raise contract._booking_refusal("started")
        if self.env.context.get("fusion_booking_client") and not contract._booking_change_allowed():
            raise contract._booking_refusal("cutoff")
        when = contract._format_booking_datetime(task.scheduled_start)
        ics = contract._get_booking_ics(task, cancelled=True)
        # the task cancels its event and repair order and frees the contract
        task.with_context(no_mail_to_attendees=True)._action_cancel()
        contract.message_post(
            body=self.env._("Maintenance visit of %s cancelled; the client can book again.", when),
            subtype_xmlid="mail.mt_note",
            **self._get_booking_note_author(),
        )
        if not self.env.context.get("fusion_booking_no_email"):
            self._send_booking_cancellation(task, ics)
        return task.with_env(self.env)

    def _get_booking_note_author(self):
        """``message_post`` author of a booking note: the client for their own web actions
        (not "Public user"), else the current user."""
        if self.env.context.get("fusion_booking_client") and self.partner_id:
            return {"author_id": self.partner_id.id}
        return {}

    def _format_booking_datetime(self, value):
        """A naive UTC datetime in words, in the booking zone (for notes and emails)."""
        return booking_slots.format_datetime_words(value, self._get_booking_tz(), self.partner_id.lang or self.env.lang)

    def _get_client_address_lines(self):
        """The visit address, one line per part, without the empty ones."""
        address = self.partner_id._display_address(without_company=True)
        return [line.strip() for line in address.splitlines() if line.strip()]

    def _get_booking_summary(self, task=None):
        """What the client is told about the booked visit (page and email)."""
        self.ensure_one()
        task = task or self._get_current_booking_task()
        if not task:
            return {}
        tz_name = self._get_booking_tz()
        lang = self.partner_id.lang or self.env.lang
        settings = self._get_booking_settings()
        start, window_end = booking_slots.arrival_window(task.scheduled_start, settings["arrival_window_minutes"])
        return {
            "task": task,
            "day_label": booking_slots.format_day(start, tz_name, lang),
            "window_label": booking_slots.format_window(start, window_end, tz_name, lang),
            "window_start_label": booking_slots.format_time(start, tz_name, lang),
            "window_end_label": booking_slots.format_time(window_end, tz_name, lang),
            "tz_label": booking_slots.timezone_label(tz_name, lang),
            "technician_first_name": booking_slots.first_name(task.technician_id.name),
            "address": "\n".join(self._get_client_address_lines()),
            "address_lines": self._get_client_address_lines(),
            "change_deadline": self._booking_change_deadline(),
            "can_change": self._booking_change_allowed(),
            "duration_label": booking_slots.format_duration(self._get_visit_duration_hours()),
            "change_deadline_label": "%s, %s"
            % (
                booking_slots.format_day(self._booking_change_deadline(), tz_name, lang),
                booking_slots.format_time(self._booking_change_deadline(), tz_name, lang),
            ),
            # a full stop after the label, unless it already ends with one ("9:00 a.m.")
            "change_deadline_stop": ""
            if booking_slots.format_time(self._booking_change_deadline(), tz_name, lang).endswith(".")
            else ".",
        }

    def _get_booking_ics(self, task, cancelled=False):
        """The client's .ics of ``task``'s visit, written for the client: the company organizes
        it, the client attends, and the text is what the confirmation email says (equipment,
        arrival window, the technician's first name, the office phone, how to prepare). No
        technician email, internal code or contract reference. The UID is stable, so that a
        move (higher ``SEQUENCE``) or the cancellation (``METHOD:CANCEL``) replaces or removes
        the same event in the client's calendar. The event spans the time the client must be
        at home: from the start of the arrival window to its end plus the visit length (a
        technician arriving at 9:00 for a 1 h 30 visit stays until 10:30)."""
        self.ensure_one()
        task = task.sudo()
        if vobject is None or not task or not task.scheduled_start or not task.scheduled_end:
            return None
        contract = self.sudo()
        company = contract.company_id or self.env.company
        summary = contract._get_booking_summary(task)
        event_start, event_end = contract._get_booking_ics_span(task)
        calendar = vobject.iCalendar()
        calendar.add("prodid").value = "-//%s//Maintenance visits//EN" % (company.name or "Odoo").replace("//", "/")
        if cancelled:
            calendar.add("method").value = "CANCEL"
        vevent = calendar.add("vevent")
        uid = "fusion-maintenance-%s-%s@%s" % (
            task.id,
            self.id,
            self.env["ir.config_parameter"].sudo().get_param("database.uuid", "odoo"),
        )
        sequence = task.booking_ics_sequence + (1 if cancelled else 0)
        now = fields.Datetime.now().replace(tzinfo=pytz.utc)
        vevent.add("uid").value = uid
        vevent.add("sequence").value = str(sequence)
        vevent.add("dtstamp").value = now
        vevent.add("created").value = now
        vevent.add("dtstart").value = event_start.replace(tzinfo=pytz.utc)
        vevent.add("dtend").value = event_end.replace(tzinfo=pytz.utc)
        vevent.add("summary").value = self.env._(
            "Maintenance visit of your %(equipment)s (%(company)s)",
            equipment=contract.product_id.name or self.env._("equipment"),
            company=company.name,
        )
        vevent.add("description").value = contract._get_booking_ics_description(
            summary,
            cancelled=cancelled,
            home_until_label=booking_slots.format_time(
                event_end, contract._get_booking_tz(), contract.partner_id.lang or self.env.lang
            ),
        )
        if summary.get("address_lines"):
            vevent.add("location").value = ", ".join(summary["address_lines"])
        if company.email:
            organizer = vevent.add("organizer")
            organizer.value = "MAILTO:%s" % company.email
            organizer.params["CN"] = [(company.name or "").replace('"', "'")]
        if contract.partner_id.email:
            attendee = vevent.add("attendee")
            attendee.value = "MAILTO:%s" % contract.partner_id.email
            attendee.params["CN"] = [(contract.partner_id.name or "").replace('"', "'")]
        vevent.add("status").value = "CANCELLED" if cancelled else "CONFIRMED"
        return calendar.serialize().encode()

    def _get_booking_ics_span(self, task):
        """(start, end) of the client's calendar entry, naive UTC: from the start of the arrival
        window to the end of the window plus the visit length (the task's own length)."""
        self.ensure_one()
        window_start, window_end = booking_slots.arrival_window(
            task.scheduled_start, self._get_booking_settings()["arrival_window_minutes"]
        )
        return window_start, window_end + (task.scheduled_end - task.scheduled_start)

    def _get_booking_ics_description(self, summary, cancelled=False, home_until_label=None):
        """The plain text of the client's calendar entry (see ``_get_booking_ics``);
        ``home_until_label``: when the entry ends (window end plus the visit length)."""
        self.ensure_one()
        phone = (self.company_id or self.env.company).phone
        lines = []
        if cancelled:
            lines += [self.env._("This maintenance visit has been cancelled."), ""]
        lines.append(
            booking_slots.end_sentence(
                self.env._(
                    "Arrival window: %(day)s, %(window)s %(zone)s",
                    day=summary["day_label"],
                    window=summary["window_label"],
                    zone=summary["tz_label"],
                )
            )
        )
        lines.append(booking_slots.end_sentence(self.env._("The visit takes about %s", summary["duration_label"])))
        if home_until_label and not cancelled:
            lines.append(
                booking_slots.end_sentence(
                    self.env._(
                        "This calendar entry covers the whole arrival window plus the visit: please be"
                        " at home from %(start)s until about %(end)s",
                        start=summary["window_start_label"],
                        end=home_until_label,
                    )
                )
            )
        if summary["technician_first_name"]:
            lines.append(self.env._("Your technician: %s.", summary["technician_first_name"]))
        if phone:
            lines.append(self.env._("Questions, or need to change the visit? Call us at %s.", phone))
        if not cancelled:
            lines += ["", self.env._("How to prepare:")]
            lines += ["- %s" % item for item in self._get_visit_preparation_items()]
        return "\n".join(lines)

    def _get_cancelled_booking_summary(self):
        """The visit just cancelled (cancellation email), from the sending context."""
        self.ensure_one()
        task = self.env["fusion.technician.task"].sudo().browse(self.env.context.get("fusion_cancelled_task_id"))
        if not task.exists():
            return {}
        tz_name = self._get_booking_tz()
        lang = self.partner_id.lang or self.env.lang
        start, window_end = booking_slots.arrival_window(
            task.scheduled_start, self._get_booking_settings()["arrival_window_minutes"]
        )
        return {
            "day_label": booking_slots.format_day(start, tz_name, lang),
            "window_label": booking_slots.format_window(start, window_end, tz_name, lang),
            "tz_label": booking_slots.timezone_label(tz_name, lang),
        }

    def _send_booking_confirmation(self, task=None, moved=False):
        """Email the client the booked (or moved: ``moved=True``) visit, with an .ics."""
        self.ensure_one()
        task = task or self._get_current_booking_task()
        if not task:
            return self.env["mail.message"]
        return self._send_booking_email(
            "fusion_repairs.email_template_maintenance_booking_confirmed",
            self._get_booking_ics(task),
            fusion_booking_moved=moved,
        )

    def _send_booking_cancellation(self, task, ics=None):
        """Email the client that ``task``'s visit is cancelled, with a cancelling .ics."""
        self.ensure_one()
        return self._send_booking_email(
            "fusion_repairs.email_template_maintenance_booking_cancelled",
            ics,
            fusion_cancelled_task_id=task.id,
        )

    def _send_booking_email(self, template_xmlid, ics=None, **context):
        """Email the client through the chatter (visible there), to the client only: the
        contract's followers (e.g. the responsible) get no copy.

        Staff send it as themselves; from the public page it is sent in the company's name
        (by the system user: a public user may not attach files to a message). A failure never
        undoes the booking: it is noted on the contract.
        """
        self.ensure_one()
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template or not self.partner_id.email:
            return self.env["mail.message"]
        # explicit recipients: in comment mode the composer adds the record's suggested
        # recipients (e.g. the company) to the template's
        values = {"notify_skip_followers": True, "partner_ids": [Command.set(self.partner_id.ids)]}
        contract = self.sudo()
        if not self.env.user._is_internal():
            contract = self.with_user(SUPERUSER_ID).sudo()
            values["author_id"] = contract.company_id.partner_id.id
        contract = contract.with_context(**context)
        if ics:
            values["attachment_ids"] = (
                contract.env["ir.attachment"]
                .create(
                    {
                        "name": "maintenance-visit.ics",
                        "mimetype": "text/calendar",
                        "raw": ics,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
                .ids
            )
        try:
            with self.env.cr.savepoint():
                return contract.with_company(contract.company_id).message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                    **values,
                )
        except Exception as error:  # pylint: disable=broad-except
            # the visit stays as it is: staff see why the client got no email
            _logger.info("Booking email %s of %s failed", template_xmlid, self.display_name, exc_info=True)
            contract.message_post(
                body=self.env._("The email to the client could not be sent: %s", error),
                subtype_xmlid="mail.mt_note",
            )
            return self.env["mail.message"]

    # office buttons

    def action_open_booking_wizard(self):
        self.ensure_one()
        if self.state != "active":
            raise self._booking_refusal("inactive")
        # created now: its free times are real records the day/time pickers filter
        wizard = self.env["fusion.repair.maintenance.booking.wizard"].create({"contract_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reschedule Maintenance") if self.is_booked else self.env._("Book Maintenance"),
            "res_model": "fusion.repair.maintenance.booking.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_cancel_booking(self):
        for contract in self:
            contract.cancel_booking()
        return True
