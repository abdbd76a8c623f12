import logging
from datetime import date, datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.fusion_tasks.models.fusion_service_zone import normalise_postal_code
from odoo.exceptions import UserError
from odoo.tools import format_date, split_every

from ..lib import backfill_schedule
from ..lib.units import whole_units
from .maintenance_backfill_line import BACKFILL_REASONS

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # sale lines read, or contracts created, at a time


class FusionRepairMaintenanceBackfillWizard(models.TransientModel):
    """Enrol the installed base: the units of past confirmed sales get their maintenance
    contract, as if they had been enrolled when sold.

    The dry run lists each sold unit with what would happen (``line_ids``); the office
    checks it (sort, filter, group, export), then enrols. Idempotent with the enrolment on
    sale (same two regimes: by serial, else by sale line): a rerun, or a sale confirmed
    meanwhile, creates nothing twice; a sale confirmed later does not enrol the units again.
    """

    _name = "fusion.repair.maintenance.backfill.wizard"
    _description = "Enrol Past Sales"
    # the office may check a large dry run (filter, export) for a working day before enrolling
    _transient_max_hours = 24.0

    state = fields.Selection(
        [("draft", "Filters"), ("dry_run", "Dry Run"), ("done", "Enrolled")], default="draft", required=True
    )
    date_from = fields.Date(string="Sold From", help="Confirmed sales ordered on or after this day.")
    date_to = fields.Date(
        string="Sold Until",
        default=fields.Date.context_today,
        help="Confirmed sales ordered on or before this day.",
    )
    category_ids = fields.Many2many(
        "fusion.repair.product.category",
        "fusion_repair_backfill_wizard_category_rel",
        "wizard_id",
        "category_id",
        string="Equipment Categories",
        help="Leave empty for all.",
    )
    product_ids = fields.Many2many(
        "product.product",
        "fusion_repair_backfill_wizard_product_rel",
        "wizard_id",
        "product_id",
        string="Products",
        help="Leave empty for all.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "fusion_repair_backfill_wizard_partner_rel",
        "wizard_id",
        "partner_id",
        string="Clients",
        help="Leave empty for all.",
    )
    stagger_weeks = fields.Integer(
        string="Spread Over (Weeks)",
        default=lambda self: self._get_setting("fusion_repairs.backfill_stagger_weeks", 8),
        help="Units already past due are given due dates spread over this many weeks.",
    )
    daily_cap = fields.Integer(
        string="At Most per Day",
        default=lambda self: self._get_setting("fusion_repairs.backfill_daily_cap", 20),
        help="Most maintenance due dates on one working day (contracts already due that day count too).",
    )
    line_ids = fields.One2many("fusion.repair.maintenance.backfill.line", "wizard_id", string="Units", readonly=True)
    create_count = fields.Integer(string="To Create", compute="_compute_counts")
    skip_count = fields.Integer(string="Skipped", compute="_compute_counts")
    warning_count = fields.Integer(string="With Warning", compute="_compute_counts")
    created_count = fields.Integer(string="Created", readonly=True)
    result_message = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Computes and defaults
    # ------------------------------------------------------------------

    @api.model
    def _get_setting(self, key, default):
        try:
            value = int(self.env["ir.config_parameter"].sudo().get_param(key, default))
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._("Enrol Past Sales")

    @api.depends("line_ids.action", "line_ids.has_warning")
    def _compute_counts(self):
        Line = self.env["fusion.repair.maintenance.backfill.line"]
        counts = {
            (wizard, action, warned): count
            for wizard, action, warned, count in Line._read_group(
                [("wizard_id", "in", self.ids)], ["wizard_id", "action", "has_warning"], ["__count"]
            )
        }
        for wizard in self:
            get = lambda action, warned, wizard=wizard: counts.get((wizard._origin, action, warned), 0)  # noqa: E731
            wizard.create_count = get("create", False) + get("create", True)
            wizard.skip_count = get("skip", False) + get("skip", True)
            wizard.warning_count = get("create", True)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def _check_office_access(self):
        """Only the office enrols units: the wizard's own rights, and creating contracts
        (sales are read in sudo below, every salesperson's)."""
        self.check_access("write")
        self.env["fusion.repair.maintenance.contract"].check_access("create")

    def action_dry_run(self):
        """List each sold unit of the filtered past sales with what enrolling would do."""
        self.ensure_one()
        self._check_office_access()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts: check the dates."))
        if self.stagger_weeks < 1 or self.daily_cap < 1:
            raise UserError(self.env._("Spread over at least one week, and allow at least one due date a day."))
        self.line_ids.unlink()
        values = self._fc_plan()
        Line = self.env["fusion.repair.maintenance.backfill.line"]
        for batch in split_every(BATCH_SIZE, values, list):
            Line.create(batch)
        self.write({"state": "dry_run", "result_message": False, "created_count": 0})
        return True  # the form reloads in place

    def action_back_to_filters(self):
        self.ensure_one()
        self.check_access("write")
        self.line_ids.unlink()
        self.state = "draft"
        return True  # the form reloads in place

    def action_view_lines(self):
        """The dry run as a real list: sort, filter, group, export."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "fusion_repairs.fusion_repair_maintenance_backfill_line_action"
        )
        action["domain"] = [("wizard_id", "=", self.id)]
        # the stat button's filter ("To Create" or "Skipped")
        action["context"] = {
            key: value for key, value in self.env.context.items() if key.startswith("search_default_filter_")
        }
        return action

    def action_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("fusion_repairs.fusion_repair_maintenance_contract_action")
        action["domain"] = [("id", "in", self.line_ids.contract_id.ids)]
        action["context"] = {"create": False}
        return action

    def action_execute(self):
        """Create the contracts the dry run announced, in batches; a unit enrolled meanwhile
        (a sale confirmed, another run) is left out."""
        self.ensure_one()
        self._check_office_access()
        if self.state != "dry_run":
            raise UserError(self.env._("Run the dry run first, and check what it would do."))
        created, covered = self._fc_execute()
        self.write(
            {
                "state": "done",
                "created_count": len(created),
                "result_message": self._fc_result_message(created, covered),
            }
        )
        return True  # the form reloads in place

    def _fc_result_message(self, created, covered):
        if not created:
            message = self.env._("No contract created: every unit is enrolled already.")
        else:
            message = self.env._(
                "%(count)s maintenance contracts created, first due on %(first)s, last on %(last)s.",
                count=len(created),
                first=format_date(self.env, min(created.mapped("next_due_date")), date_format="long"),
                last=format_date(self.env, max(created.mapped("next_due_date")), date_format="long"),
            )
        if covered:
            message += " " + self.env._(
                "%s units were enrolled meanwhile (a sale or another run) and were left out.", covered
            )
        return message

    # ------------------------------------------------------------------
    # Dry run
    # ------------------------------------------------------------------

    def _fc_sale_line_domain(self):
        domain = [
            ("order_id.state", "in", ("sale", "cancel")),
            ("display_type", "=", False),
            ("company_id", "in", self.env.companies.ids),
        ]
        if self.date_from:
            domain.append(("order_id.date_order", ">=", self._fc_utc(self.date_from)))
        if self.date_to:
            domain.append(("order_id.date_order", "<", self._fc_utc(self.date_to + timedelta(days=1))))
        if self.category_ids:
            domain.append(("product_id.x_fc_repair_category_id", "in", self.category_ids.ids))
        if self.product_ids:
            domain.append(("product_id", "in", self.product_ids.ids))
        if self.partner_ids:
            domain.append(("order_id.partner_id", "child_of", self.partner_ids.ids))
        return domain

    def _fc_utc(self, day):
        """Naive UTC datetime of the midnight that starts ``day`` in the user's time zone."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def _fc_plan(self):
        """Values of the dry-run lines, one per sold unit, the due dates spread.

        Constant number of queries per batch of sale lines: lines, orders, products and
        partners are read in bulk (prefetch), then deliveries, contracts and serials of the
        batch in one query each; nothing is searched line by line."""
        SaleLine = self.env["sale.order.line"].sudo()
        sale_line_ids = SaleLine.search(self._fc_sale_line_domain(), order="order_id, sequence, id").ids
        zones = self._fc_zone_prefixes()
        policies = {}
        planned_serials = set()
        values = []
        for batch_ids in split_every(BATCH_SIZE, sale_line_ids):
            lines = SaleLine.browse(batch_ids)
            values += self._fc_plan_batch(lines, policies, planned_serials, zones)
            # keep memory flat on large runs
            self.env.invalidate_all()
        today = fields.Date.context_today(self)
        creates = [vals for vals in values if vals["action"] == "create"]
        due_dates = backfill_schedule.stagger_due_dates(
            ((index, vals["natural_due_date"]) for index, vals in enumerate(creates)),
            today,
            weeks=self.stagger_weeks,
            daily_cap=self.daily_cap,
            load=self._fc_due_load(today),
        )
        for index, vals in enumerate(creates):
            vals["due_date"] = due_dates[index]
            vals["is_staggered"] = due_dates[index] != vals["natural_due_date"]
        # what will be created first (soonest due first), then the skipped units by reason
        reasons = [reason for reason, _label in BACKFILL_REASONS]
        values.sort(
            key=lambda vals: (
                vals["action"] != "create",
                vals.get("due_date") or date.max,
                reasons.index(vals["reason"]) if vals.get("reason") in reasons else 0,
            )
        )
        for sequence, vals in enumerate(values):
            vals["sequence"] = sequence
            vals["wizard_id"] = self.id
        return values

    def _fc_due_load(self, today):
        """{day: number of active contracts due that day}, from today on."""
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        return dict(
            Contract._read_group(
                [("state", "=", "active"), ("next_due_date", ">=", today)], ["next_due_date:day"], ["__count"]
            )
        )

    def _fc_zone_prefixes(self):
        """Postal-code prefixes of the active service zones, read once for the whole run (the
        rule of ``fusion.service.zone._match_postal_code``, without one query per client)."""
        zones = self.env["fusion.service.zone"].sudo().search_fetch([], ["postal_prefixes"])
        return [
            prefix
            for zone in zones
            for prefix in map(normalise_postal_code, (zone.postal_prefixes or "").split(","))
            if prefix
        ]

    def _fc_partner_warning(self, partner, zones):
        warnings = []
        if not partner.email:
            warnings.append(self.env._("No email: the client gets no reminder."))
        code = normalise_postal_code(partner.zip)
        if not code or not any(code.startswith(prefix) for prefix in zones):
            warnings.append(self.env._("Postal code in no service zone: the client cannot book online."))
        return " ".join(warnings)

    def _fc_deliveries(self, lines):
        """Delivery facts of the sale lines, in one query of moves (and their lots):
        ``{line_id: {"date": first done delivery day or None, "pending": bool, "lots": [lots]}}``."""
        moves = (
            self.env["stock.move"]
            .sudo()
            .search_fetch(
                [("sale_line_id", "in", lines.ids), ("location_dest_usage", "=", "customer")],
                ["sale_line_id", "state", "date", "picking_id", "has_tracking"],
                order="date, id",
            )
        )
        facts = {}
        for move in moves:
            fact = facts.setdefault(move.sale_line_id.id, {"date": None, "pending": False, "lots": []})
            if move.state == "done":
                done = move.picking_id.date_done or move.date
                day = fields.Date.context_today(self, timestamp=done)
                if not fact["date"] or day < fact["date"]:
                    fact["date"] = day
                if move.has_tracking == "serial":
                    fact["lots"] += move.move_line_ids.filtered(lambda ml: ml.quantity > 0 and ml.lot_id).lot_id
            elif move.state != "cancel":
                fact["pending"] = True
        return facts

    def _fc_policy(self, product, policies):
        if product.id not in policies:
            policies[product.id] = product.product_tmpl_id._get_maintenance_policy()
        return policies[product.id]

    def _fc_plan_batch(self, lines, policies, planned_serials, zones):
        existing_per_line, _withdrawn = lines._fc_existing_maintenance_contracts()
        deliveries = self._fc_deliveries(lines)
        # the units of each line, with their serial (typed on the line, else the delivered lots)
        units_per_line = {}
        serial_keys = []
        for line in lines:
            units_per_line[line] = units = self._fc_line_units(line, existing_per_line, deliveries, policies)
            serial_keys += [unit["key"] for unit in units if unit.get("key")]
        covered_serials = lines._fc_serials_under_contract(serial_keys)
        values = []
        for line in lines:
            order = line.order_id
            partner = order.partner_id
            product = line.product_id
            policy = self._fc_policy(product, policies) if product else None
            base = {
                "sale_line_id": line.id,
                "sale_order_id": order.id,
                "partner_id": partner.id,
                "product_id": product.id,
                "category_id": product.product_tmpl_id.x_fc_repair_category_id.id,
                "order_date": fields.Date.context_today(self, timestamp=order.date_order)
                if order.date_order
                else False,
                "interval_months": policy["interval_months"] if policy else 0,
                "existing_count": existing_per_line.get(line, 0),
                "company_id": order.company_id.id,
            }
            for unit in units_per_line[line]:
                vals = dict(base, **{k: v for k, v in unit.items() if k != "key"})
                key = unit.get("key")
                if vals["action"] == "create" and key and (key in covered_serials or key in planned_serials):
                    vals.update(
                        action="skip",
                        reason="serial_covered",
                        note=self.env._("Serial %s already has an active contract of this client.", key[1]),
                    )
                elif vals["action"] == "create":
                    if key:
                        planned_serials.add(key)
                    warning = self._fc_partner_warning(partner, zones)
                    vals.update(warning=warning or False, has_warning=bool(warning))
                values.append(vals)
        return values

    def _fc_line_units(self, line, existing_per_line, deliveries, policies):
        """What would happen to each unit sold on ``line``: a list of line values (``action``,
        ``reason``, ``note``, serial, dates), plus the unit's serial ``key`` to check."""
        order = line.order_id
        product = line.product_id
        skip = lambda reason, note=False: [{"action": "skip", "reason": reason, "note": note}]  # noqa: E731
        if order.state == "cancel":
            return skip("cancelled")
        if not product or product.type != "consu" or line.is_downpayment or line.product_uom_qty <= 0:
            return skip("not_unit", self.env._("Service, down payment or nothing sold."))
        policy = self._fc_policy(product, policies)
        if not policy:
            if not product.product_tmpl_id.x_fc_repair_category_id:
                return skip("not_unit", self.env._("No equipment category: an accessory or a consumable."))
            return skip("not_maintainable", self.env._("Its equipment category offers no maintenance."))
        existing = existing_per_line.get(line, 0)
        delivery = deliveries.get(line.id, {"date": None, "pending": False, "lots": []})
        typed_serial = line._fc_serial()
        count = 1 if typed_serial else line._fc_unit_count()
        if delivery["pending"]:
            qty = line.qty_delivered
            if line.product_uom_id and product.uom_id:
                qty = line.product_uom_id._compute_quantity(qty, product.uom_id, round=False)
            delivered = min(whole_units(qty), count)
        else:
            # fully delivered, or sold before the stock app (no delivery to wait for)
            delivered = count
        if delivery["date"]:
            anchor, source = delivery["date"], "delivery"
        else:
            anchor = order._fc_maintenance_anchor_date()
            source = "commitment" if order.commitment_date else "order"
        natural_due = anchor + relativedelta(months=policy["interval_months"])
        lots = list(delivery["lots"])
        units = []
        for index in range(count):
            if index < existing:
                units += skip("line_covered", self.env._("The sale line has its contracts already."))
                continue
            if index >= max(delivered, existing):
                units += skip("not_delivered", self.env._("Enrol it once it is delivered (rerun this wizard)."))
                continue
            lot = lots.pop(0) if lots and not typed_serial else None
            serial = typed_serial or (lot.name if lot else "")
            units.append(
                {
                    "action": "create",
                    "reason": False,
                    "serial": serial or False,
                    "lot_id": lot.id if lot else False,
                    "anchor_date": anchor,
                    "anchor_source": source,
                    "natural_due_date": natural_due,
                    "key": (product.id, serial, order.partner_id.id) if serial else None,
                }
            )
        return units

    # ------------------------------------------------------------------
    # Execute
    # ------------------------------------------------------------------

    def _fc_execute(self):
        """Create the dry run's contracts, batch after batch, re-checking both regimes first.

        :return: ``(contracts created, units left out as enrolled meanwhile)``
        """
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        todo = self.line_ids.filtered(lambda ln: ln.action == "create" and not ln.contract_id)
        created = Contract
        covered = 0
        mine = {}  # contracts this run created per sale line (a line's units may span two batches)
        total = len(todo)
        for batch in split_every(BATCH_SIZE, todo.ids):
            rows = self.line_ids.browse(batch)
            sale_lines = rows.sale_line_id.sudo()
            # two runs at once: the second waits here, then sees the first one's contracts
            sale_lines.lock_for_update()
            existing_per_line, _withdrawn = sale_lines._fc_existing_maintenance_contracts()
            serials = sale_lines._fc_serials_under_contract(
                (row.product_id.id, row.serial, row.partner_id.id) for row in rows if row.serial
            )
            taken = {}  # units of a sale line enrolled since the dry run
            vals_list, kept_rows = [], []
            for row in rows:
                line = row.sale_line_id.sudo()
                extra = existing_per_line.get(line, 0) - row.existing_count - mine.get(line.id, 0) - taken.get(line, 0)
                if extra > 0 or (row.serial and (row.product_id.id, row.serial, row.partner_id.id) in serials):
                    taken[line] = taken.get(line, 0) + (1 if extra > 0 else 0)
                    covered += 1
                    continue
                policy = self._fc_policy(line.product_id, {})
                if not policy:
                    covered += 1
                    continue
                vals = line._fc_prepare_maintenance_contract_values(policy, row.serial or "")
                vals.update(
                    {
                        "x_fc_source": "backfill",
                        "next_due_date": row.due_date,
                        "delivery_date": row.anchor_date if row.anchor_source == "delivery" else False,
                        "lot_id": row.lot_id.id or False,
                    }
                )
                vals_list.append(vals)
                kept_rows.append(row)
            contracts = Contract.with_context(tracking_disable=True, mail_create_nolog=True).create(vals_list)
            for row, contract in zip(kept_rows, contracts, strict=True):
                row.contract_id = contract
                mine[row.sale_line_id.id] = mine.get(row.sale_line_id.id, 0) + 1
            for order in contracts.original_sale_order_id:
                order._fc_post_contracts_note(
                    contracts.filtered(lambda c, order=order: c.original_sale_order_id == order)
                )
            created |= contracts
            self.env.flush_all()
            _logger.info("Enrol past sales: %s of %s units done", len(created) + covered, total)
        return created, covered
