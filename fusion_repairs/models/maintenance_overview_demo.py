from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models


class FusionRepairMaintenanceOverview(models.AbstractModel):
    """Demo history for the overview: past visits (on time, late, not done, one failed),
    the reminders that led to them, visit orders, service plans sold, one unit out of service."""

    _inherit = "fusion.repair.maintenance.overview"

    @api.model
    def _fc_demo_overview_history(self):
        today = fields.Date.context_today(self)

        def ref(xmlid):
            return self.env.ref(f"fusion_repairs.{xmlid}")

        # (contract, technician, due date of that cycle, days after due, result, booked by)
        history = [
            (
                "demo_contract_margaret_stairlift",
                "dave",
                today + timedelta(days=30) - relativedelta(months=6),
                -2,
                "passed",
                "client",
            ),
            (
                "demo_contract_robert_powerchair",
                "maria",
                today + timedelta(days=7) - relativedelta(months=6),
                0,
                "passed_remarks",
                "office",
            ),
            (
                "demo_contract_robert_stairlift_overdue",
                "dave",
                today - timedelta(days=5) - relativedelta(months=6),
                6,
                "passed",
                "office",
            ),
            ("demo_contract_evelyn_hospitalbed", "kevin", today - relativedelta(months=9), 12, "passed", "client"),
            ("demo_contract_george_porchlift", "kevin", today - relativedelta(months=4), -1, "not_done", "client"),
            ("demo_contract_george_porchlift", "kevin", today - relativedelta(months=4), 3, "passed", "office"),
            ("demo_contract_helen_stairlift_paused", "maria", today - relativedelta(months=2), -4, "failed", "office"),
        ]
        Task = (
            self.env["fusion.technician.task"]
            .sudo()
            .with_context(no_mail_to_attendees=True, mail_create_nolog=True, tracking_disable=True)
        )
        Visit = self.env["fusion.repair.maintenance.visit"].sudo()
        Log = self.env["fusion.repair.maintenance.reminder.log"].sudo()
        for contract_xmlid, technician, due, late_days, result, booked_by in history:
            contract = ref(contract_xmlid)
            visit_day = due + timedelta(days=late_days)
            start = datetime.combine(visit_day, time(15, 0))
            sent_on = datetime.combine(due - timedelta(days=30), time(13, 0))
            if not Log.search_count([("contract_id", "=", contract.id), ("due_date", "=", due)]):
                Log.create({"contract_id": contract.id, "band": 30, "due_date": due, "sent_on": sent_on})
            if booked_by == "client" and result != "not_done":
                Log.create(
                    {"contract_id": contract.id, "band": 7, "due_date": due, "sent_on": sent_on + timedelta(days=23)}
                )
            task = Task.create(
                {
                    "task_type": "maintenance",
                    "technician_id": ref(f"demo_user_technician_{technician}").id,
                    "partner_id": contract.partner_id.id,
                    "scheduled_start": start,
                    "scheduled_end": start + timedelta(hours=1, minutes=30),
                    "maintenance_contract_id": contract.id,
                    "booked_by": booked_by,
                    "state": "done",
                }
            )
            last = Log.search([("contract_id", "=", contract.id), ("due_date", "=", due)], limit=1)
            if not last.booked:
                last.write({"booked": True, "booked_by": booked_by, "task_id": task.id})
            visit = Visit._create_for_task(task, contract)
            values = {
                "due_date": due,
                "state": "done",
                "result": result,
                "arrival_time": start,
                "departure_time": start + timedelta(hours=1),
            }
            if result == "not_done":
                values["not_done_reason"] = "client_absent"
            visit.write(values)
            visit._bill_visit_if_due()
            if visit.sale_order_id:
                visit.sale_order_id.date_order = start
            if result == "failed":
                visit.out_of_service = True
                contract.sudo().write(
                    {
                        "x_fc_out_of_service": True,
                        "x_fc_out_of_service_since": start + timedelta(hours=1),
                        "x_fc_out_of_service_reason": "Seat belt latch: does not lock (safety check failed).",
                    }
                )
        # this cycle's reminders, as the demo contracts record them (band sent, last sent)
        for contract_xmlid in (
            "demo_contract_robert_powerchair",
            "demo_contract_evelyn_hospitalbed",
            "demo_contract_robert_stairlift_overdue",
        ):
            contract = ref(contract_xmlid)
            due = contract.next_due_date
            for band in (30, 7, 1):
                if band >= contract.reminder_band_sent:
                    Log.create(
                        {
                            "contract_id": contract.id,
                            "band": band,
                            "due_date": due,
                            "sent_on": datetime.combine(due - timedelta(days=band), time(13, 0)),
                        }
                    )
        # service plans sold: George's (the demo subscription), Margaret's (renewal due soon)
        george_sub = ref("demo_subscription_george_porchlift")
        order = self._fc_demo_plan_order(george_sub.partner_id, george_sub.plan_id, george_sub.date_start)
        george_sub.sale_line_id = order.order_line[:1]
        order.action_confirm()
        order.date_order = datetime.combine(george_sub.date_start, time(15, 0))
        plan = ref("demo_service_plan_stairlift")
        start = today - timedelta(days=345)
        order = self._fc_demo_plan_order(ref("demo_partner_margaret"), plan, start)
        order.action_confirm()
        order.date_order = datetime.combine(start, time(15, 0))
        subscription = (
            self.env["fusion.repair.service.plan.subscription"]
            .sudo()
            .search([("sale_line_id", "in", order.order_line.ids)])
        )
        subscription.write({"date_start": start, "date_end": plan._get_term_end(start)})
        return True

    @api.model
    def _fc_demo_plan_order(self, partner, plan, day):
        return (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "date_order": datetime.combine(day, time(15, 0)),
                    "order_line": [Command.create({"product_id": plan.product_id.id, "product_uom_qty": 1})],
                }
            )
        )
