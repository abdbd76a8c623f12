from odoo import fields, models, tools

from ..lib.booking_slots import BY_CLIENT, BY_OFFICE
from .maintenance_visit_overview import TIMELINESS


class FusionRepairMaintenanceReport(models.Model):
    """Maintenance analysis (graph and pivot): one row per visit, per reminder sent and per
    confirmed service-plan sale line, on one date axis.

    Amounts are untaxed amounts of confirmed sales orders (state ``sale``), in the company's
    currency (divided by the order's ``currency_rate``, as ``sale.report`` does): a visit
    counts its visit order, a plan its sale or renewal line. Nothing is invoiced-based."""

    _name = "fusion.repair.maintenance.report"
    _description = "Maintenance Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "date"

    kind = fields.Selection(
        [("visit", "Visit"), ("reminder", "Reminder"), ("plan", "Service Plan Sale")],
        string="Type",
        readonly=True,
    )
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    category_id = fields.Many2one("fusion.repair.product.category", string="Equipment Category", readonly=True)
    contract_id = fields.Many2one("fusion.repair.maintenance.contract", string="Contract", readonly=True)
    visit_id = fields.Many2one("fusion.repair.maintenance.visit", string="Visit", readonly=True)
    technician_id = fields.Many2one("res.users", string="Technician", readonly=True)
    timeliness = fields.Selection(TIMELINESS, readonly=True)
    booked_by = fields.Selection([(BY_CLIENT, "Online (client)"), (BY_OFFICE, "Office")], readonly=True)
    reminder_band = fields.Integer(string="Reminder Band (Days)", readonly=True, aggregator=None)
    visit_count = fields.Integer(string="Visits", readonly=True)
    on_time_count = fields.Integer(string="Done on Time", readonly=True)
    late_count = fields.Integer(string="Done Late", readonly=True)
    not_done_count = fields.Integer(string="Not Done", readonly=True)
    reminder_count = fields.Integer(string="Reminders Sent", readonly=True)
    reminder_booked_count = fields.Integer(string="Booked after Reminder", readonly=True)
    visit_revenue = fields.Monetary(string="Visit Revenue", readonly=True)
    plan_revenue = fields.Monetary(string="Plan Revenue", readonly=True)
    revenue = fields.Monetary(string="Revenue", readonly=True)

    def _visit_query(self):
        return """
            SELECT v.id * 3 AS id,
                   'visit' AS kind,
                   v.visit_date AS date,
                   c.company_id AS company_id,
                   comp.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.product_id AS product_id,
                   c.x_fc_policy_category_id AS category_id,
                   c.id AS contract_id,
                   v.id AS visit_id,
                   v.technician_id AS technician_id,
                   v.timeliness AS timeliness,
                   v.booked_by AS booked_by,
                   NULL::integer AS reminder_band,
                   1 AS visit_count,
                   CASE WHEN v.timeliness = 'on_time' THEN 1 ELSE 0 END AS on_time_count,
                   CASE WHEN v.timeliness = 'late' THEN 1 ELSE 0 END AS late_count,
                   CASE WHEN v.timeliness = 'not_done' THEN 1 ELSE 0 END AS not_done_count,
                   0 AS reminder_count,
                   0 AS reminder_booked_count,
                   COALESCE(so.amount_untaxed / NULLIF(so.currency_rate, 0), 0) AS visit_revenue,
                   0 AS plan_revenue,
                   COALESCE(so.amount_untaxed / NULLIF(so.currency_rate, 0), 0) AS revenue
              FROM fusion_repair_maintenance_visit v
              JOIN fusion_repair_maintenance_contract c ON c.id = v.contract_id
              JOIN res_company comp ON comp.id = c.company_id
         LEFT JOIN sale_order so ON so.id = v.sale_order_id AND so.state = 'sale'
             WHERE v.state != 'cancelled'
        """

    def _reminder_query(self):
        return """
            SELECT r.id * 3 + 1 AS id,
                   'reminder' AS kind,
                   (r.sent_on AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(cp.tz, 'UTC'))::date AS date,
                   c.company_id AS company_id,
                   comp.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.product_id AS product_id,
                   c.x_fc_policy_category_id AS category_id,
                   c.id AS contract_id,
                   NULL::integer AS visit_id,
                   NULL::integer AS technician_id,
                   NULL::varchar AS timeliness,
                   r.booked_by AS booked_by,
                   r.band AS reminder_band,
                   0 AS visit_count,
                   0 AS on_time_count,
                   0 AS late_count,
                   0 AS not_done_count,
                   1 AS reminder_count,
                   CASE WHEN r.booked THEN 1 ELSE 0 END AS reminder_booked_count,
                   0 AS visit_revenue,
                   0 AS plan_revenue,
                   0 AS revenue
              FROM fusion_repair_maintenance_reminder_log r
              JOIN fusion_repair_maintenance_contract c ON c.id = r.contract_id
              JOIN res_company comp ON comp.id = c.company_id
         LEFT JOIN res_partner cp ON cp.id = comp.partner_id
        """

    def _plan_query(self):
        return """
            SELECT l.id * 3 + 2 AS id,
                   'plan' AS kind,
                   (s.date_order AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(cp.tz, 'UTC'))::date AS date,
                   s.company_id AS company_id,
                   comp.currency_id AS currency_id,
                   s.partner_id AS partner_id,
                   l.product_id AS product_id,
                   NULL::integer AS category_id,
                   NULL::integer AS contract_id,
                   NULL::integer AS visit_id,
                   NULL::integer AS technician_id,
                   NULL::varchar AS timeliness,
                   NULL::varchar AS booked_by,
                   NULL::integer AS reminder_band,
                   0 AS visit_count,
                   0 AS on_time_count,
                   0 AS late_count,
                   0 AS not_done_count,
                   0 AS reminder_count,
                   0 AS reminder_booked_count,
                   0 AS visit_revenue,
                   COALESCE(l.price_subtotal / NULLIF(s.currency_rate, 0), 0) AS plan_revenue,
                   COALESCE(l.price_subtotal / NULLIF(s.currency_rate, 0), 0) AS revenue
              FROM sale_order_line l
              JOIN sale_order s ON s.id = l.order_id
              JOIN res_company comp ON comp.id = s.company_id
         LEFT JOIN res_partner cp ON cp.id = comp.partner_id
             WHERE s.state = 'sale'
               AND l.product_id IN (SELECT p.product_id FROM fusion_repair_service_plan p)
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""CREATE OR REPLACE VIEW {self._table} AS (
                {self._visit_query()}
                UNION ALL
                {self._reminder_query()}
                UNION ALL
                {self._plan_query()}
            )"""
        )
