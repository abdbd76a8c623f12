import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command, Domain
from odoo.tools import format_date

from .safe_steps import TRANSIENT_DB_ERRORS

_logger = logging.getLogger(__name__)

RENEWAL_DAYS_PARAM = "fusion_repairs.plan_renewal_days"
DEFAULT_RENEWAL_DAYS = 30
RENEWAL_BATCH_SIZE = 50

SUBSCRIPTION_STATES = [("active", "Active"), ("expired", "Expired"), ("cancelled", "Cancelled")]


class FusionRepairServicePlanSubscription(models.Model):
    """A client's pre-paid service plan: the units it covers, its term, and the visits it has
    covered. ``visits_included`` adds up the visits of every term bought (the first and each
    renewal): a visit not used in one term stays available in the next."""

    _name = "fusion.repair.service.plan.subscription"
    _description = "Service Plan Subscription"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, tracking=True, check_company=True
    )
    plan_id = fields.Many2one(
        "fusion.repair.service.plan", string="Plan", required=True, ondelete="restrict", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    contract_ids = fields.Many2many(
        "fusion.repair.maintenance.contract",
        "fusion_repair_plan_subscription_contract_rel",
        "subscription_id",
        "contract_id",
        string="Covered Units",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    date_start = fields.Date(string="Start", required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(string="End", required=True, tracking=True)
    visits_included = fields.Integer(
        string="Visits Included",
        tracking=True,
        help="Visits of every term bought so far (the first term and each renewal).",
    )
    visit_ids = fields.One2many("fusion.repair.maintenance.visit", "service_plan_subscription_id", string="Visits")
    visits_used = fields.Integer(compute="_compute_visits_used", string="Visits Used")
    visits_left = fields.Integer(compute="_compute_visits_used", string="Visits Left")
    state = fields.Selection(SUBSCRIPTION_STATES, default="active", required=True, tracking=True, index=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sold On", readonly=True, copy=False, index="btree_not_null"
    )
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", string="Sales Order")
    renewal_order_id = fields.Many2one(
        "sale.order", string="Renewal Quotation", readonly=True, copy=False, index="btree_not_null"
    )

    _sale_line_unique = models.UniqueIndex(
        "(sale_line_id) WHERE sale_line_id IS NOT NULL", "A sales order line sells one service plan."
    )

    @api.depends("visit_ids.state", "visit_ids.sale_order_id.state")
    def _compute_visits_used(self):
        for subscription in self:
            used = len(subscription.sudo().visit_ids.filtered(lambda visit: visit._counts_against_plan()))
            subscription.visits_used = used
            subscription.visits_left = max(subscription.visits_included - used, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for subscription in self:
            if subscription.date_end < subscription.date_start:
                raise ValidationError(self.env._("A service plan cannot end before it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "fusion.repair.service.plan.subscription"
                ) or self.env._("New")
            plan = self.env["fusion.repair.service.plan"].browse(vals.get("plan_id"))
            if plan:
                vals.setdefault("visits_included", plan.visits_per_term)
                if not vals.get("date_end"):
                    start = fields.Date.to_date(vals.get("date_start")) or fields.Date.context_today(self)
                    vals["date_end"] = plan._get_term_end(start)
        return super().create(vals_list)

    def _covers(self, contract, on_date):
        """Whether this subscription covers a visit of ``contract`` on ``on_date``."""
        self.ensure_one()
        return (
            self.state == "active"
            and contract in self.contract_ids
            and self.date_start <= on_date <= self.date_end
            and self.visits_used < self.visits_included
        )

    def action_cancel(self):
        self.check_access("write")
        self.write({"state": "cancelled"})
        return True

    def action_reactivate(self):
        self.check_access("write")
        today = fields.Date.context_today(self)
        for subscription in self:
            subscription.state = "active" if subscription.date_end >= today else "expired"
        return True

    # ------------------------------------------------------------------
    # Renewal and expiry
    # ------------------------------------------------------------------

    @api.model
    def _get_renewal_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RENEWAL_DAYS_PARAM)
        try:
            return max(int(value), 0) if value not in (None, False, "") else DEFAULT_RENEWAL_DAYS
        except ValueError:
            return DEFAULT_RENEWAL_DAYS

    @api.model
    def _get_renewal_domain(self, today=None):
        """Active subscriptions ending within the renewal days that have no renewal quotation
        for their current term (none yet, or the last one already extended them)."""
        today = today or fields.Date.context_today(self)
        return (
            Domain("state", "=", "active")
            & Domain("date_end", ">=", today)
            & Domain("date_end", "<=", today + timedelta(days=self._get_renewal_days()))
            & (Domain("renewal_order_id", "=", False) | Domain("renewal_order_id.x_fc_plan_renewal_applied", "=", True))
        )

    @api.model
    def _get_expiry_domain(self, today=None):
        today = today or fields.Date.context_today(self)
        return Domain("state", "=", "active") & Domain("date_end", "<", today)

    @api.model
    def _cron_service_plan_renewals(self, batch_size=None):
        """Daily: expire the subscriptions that have ended, then create and email the renewal
        quotation of those that end soon. Each one is stamped (state, ``renewal_order_id``), so
        a rerun does nothing twice; progress is committed between batches."""
        batch_size = batch_size or RENEWAL_BATCH_SIZE
        today = fields.Date.context_today(self)
        expired = self.search(self._get_expiry_domain(today))
        for subscription in expired:
            subscription.state = "expired"
            subscription.message_post(
                body=self.env._("The service plan has ended: its units are charged per visit again."),
                subtype_xmlid="mail.mt_note",
            )
        domain = self._get_renewal_domain(today)
        handled_ids = []
        while True:
            subscriptions = self.search(
                domain & Domain("id", "not in", handled_ids), order="date_end, id", limit=batch_size
            )
            if not subscriptions:
                self.env["ir.cron"]._commit_progress(len(expired), remaining=0)
                break
            for subscription in subscriptions:
                try:
                    with self.env.cr.savepoint():
                        subscription._create_renewal_quotation()
                except TRANSIENT_DB_ERRORS:
                    _logger.info("Renewal of %s deferred to the next run", subscription.name, exc_info=True)
                except Exception:  # pylint: disable=broad-except
                    _logger.warning("Renewal quotation of %s failed", subscription.name, exc_info=True)
            handled_ids += subscriptions.ids
            remaining = self.search_count(domain & Domain("id", "not in", handled_ids))
            time_left = self.env["ir.cron"]._commit_progress(len(subscriptions), remaining=remaining)
            if not remaining or time_left <= 0:
                break
        return True

    def _prepare_renewal_order_values(self):
        self.ensure_one()
        plan = self.plan_id
        origin = self.sale_line_id.order_id
        next_end = plan._get_term_end(self.date_end)
        client_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": origin.user_id.id if origin.user_id and not origin.user_id.share else False,
            "origin": self.name,
            "x_fc_renewed_subscription_id": self.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": plan.product_id.id,
                        "product_uom_qty": 1.0,
                    }
                )
            ],
            # the quotation's note is read by the client: in their language
            "note": client_env._(
                "Renewal of your %(plan)s (%(subscription)s) until %(end)s.",
                plan=plan.with_context(lang=client_env.lang).name,
                subscription=self.name,
                end=format_date(client_env, next_end, date_format="long"),
            ),
        }

    def _create_renewal_quotation(self):
        """The renewal quotation of the plan, emailed with Odoo's quotation email (the client
        accepts, signs and pays it on the portal)."""
        self.ensure_one()
        self.lock_for_update()
        if self.renewal_order_id and not self.renewal_order_id.x_fc_plan_renewal_applied:
            return self.renewal_order_id
        order = (
            self.env["sale.order"]
            .sudo()
            .with_company(self.company_id)
            .with_context(mail_create_nosubscribe=True)
            .create(self._prepare_renewal_order_values())
        )
        self.renewal_order_id = order
        self.message_post(
            body=self.env._("Renewal quotation %s created and sent to the client.", order.name),
            subtype_xmlid="mail.mt_note",
        )
        self._send_renewal_quotation(order)
        return order

    def _send_renewal_quotation(self, order):
        template = order._find_mail_template()
        if not template or not order.partner_id.email:
            self.message_post(
                body=self.env._("Renewal quotation %s could not be emailed: send it from the quotation.", order.name),
                subtype_xmlid="mail.mt_note",
            )
            return False
        order._portal_ensure_token()
        order.with_context(mark_so_as_sent=True, mail_notify_force_send=False).message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def _extend_term(self, order):
        """The confirmed renewal ``order`` adds one term: ``date_end`` moves one term later and
        the term's visits are added to ``visits_included`` (unused ones are kept)."""
        self.ensure_one()
        plan = self.plan_id
        today = fields.Date.context_today(self)
        new_end = plan._get_term_end(max(self.date_end, today) if self.state == "expired" else self.date_end)
        self.write(
            {
                "date_end": new_end,
                "visits_included": self.visits_included + plan.visits_per_term,
                "state": "active" if self.state != "cancelled" else self.state,
                "renewal_order_id": order.id,
            }
        )
        self.message_post(
            body=self.env._(
                "Renewed by %(order)s until %(end)s: %(visits)s visit(s) added.",
                order=order.name,
                end=format_date(self.env, new_end, date_format="long"),
                visits=plan.visits_per_term,
            ),
            subtype_xmlid="mail.mt_note",
        )
