import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..lib.booking_slots import BOOKING_ROUTE

# who may see or change a booking link: the office (sales, inventory, dispatch)
OFFICE_GROUPS = "sales_team.group_sale_salesman,stock.group_stock_user,fusion_tasks.group_fusion_dispatcher"


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
    device_licence_number = fields.Char(
        string="Installation / Licence No.",
        copy=False,
        tracking=True,
        help="The unit's installation or device licence number when it has one (e.g. the TSSA licence of a"
        " lift), printed on its inspection certificates.",
    )
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
        groups=OFFICE_GROUPS,
        default=lambda self: _new_booking_token(),
    )
    booking_url = fields.Char(string="Booking Link", compute="_compute_booking_url", groups=OFFICE_GROUPS)
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
        # visit records as the reader sees them: a technician counts their own visits
        counts = dict(
            self.env["fusion.repair.maintenance.visit"]._read_group(
                [("contract_id", "in", self.ids), ("state", "!=", "cancelled")],
                ["contract_id"],
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

    def write(self, vals):
        new_client = "partner_id" in vals and self.filtered(lambda c: c.partner_id.id != vals["partner_id"])
        if new_client:
            # the visit (task, repair order, email, address) belongs to the client who booked it
            new_client._check_not_booked(self.env._("change the client of"))
        res = super().write(vals)
        if new_client:
            # the previous client's link must not open the new client's unit
            new_client._regenerate_booking_token()
        return res

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

    def action_new_booking_link(self):
        """Office button: revoke a link that leaked (forwarded, printed, seen by someone else)."""
        self.check_access("write")
        self._regenerate_booking_token()
        for contract in self:
            contract.message_post(
                body=self.env._("New booking link issued: the previous link no longer opens anything."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _roll_forward(self, service_date, task=None, what=None):
        """Close the current cycle after a visit on ``service_date``: next due
        date counted from the service, new booking link, reminders reset and the
        current booking cleared. One note on the chatter says so (naming the
        visit ``task`` when there is one, else saying ``what`` happened, e.g. "Back in
        service after RO/0042, done on …")."""
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
            elif what:
                body = self.env._("%(what)s Next maintenance due on %(due)s.", what=what, due=due_words)
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
        self.check_access("write")
        return self._action_pause()

    def action_resume(self):
        self.check_access("write")
        return self._action_resume()

    def action_cancel(self):
        self.check_access("write")
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
        """The visit records of this unit (cancelled bookings left out), newest first: date,
        technician, result."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Visits of %s", self.display_name),
            "res_model": "fusion.repair.maintenance.visit",
            "views": [(False, "list"), (False, "form")],
            "domain": [("contract_id", "=", self.id), ("state", "!=", "cancelled")],
            "context": {"create": False},
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
