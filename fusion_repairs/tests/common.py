"""Fixtures of the fusion_repairs tests.

Every record is created here with unique names and codes, so that the results
never depend on demo data being installed or not.
"""

import uuid
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class FusionRepairsCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, no_reset_password=True))
        cls.company = cls.env.company
        cls.Contract = cls.env["fusion.repair.maintenance.contract"]
        cls.Category = cls.env["fusion.repair.product.category"]

        cls.skill = cls.env["fusion.technician.skill"].create(
            {
                "name": unique("Stair Lift Service"),
                "code": unique("SL"),
            }
        )
        cls.category = cls.Category.create(
            {
                "name": "Stair Lift (test)",
                "code": unique("stairlift"),
                "equipment_class": "lift_elevating",
                "safety_critical": True,
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": 6,
                "x_fc_maintenance_fee": 149.0,
                "x_fc_maintenance_skill_id": cls.skill.id,
                "x_fc_visit_duration_hours": 1.5,
            }
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": unique("Margaret Test Client"),
                "email": "margaret.test@example.com",
                "phone": "+1 416-555-0111",
                "street": "12 Maple Avenue",
                "city": "Toronto",
                "zip": "M4C 1A1",
                "country_id": cls.env.ref("base.ca").id,
            }
        )
        cls.office_user = cls.env["res.users"].create(
            {
                "name": unique("Office Coordinator"),
                "login": unique("office"),
                "email": "office.test@example.com",
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("sales_team.group_sale_salesman").id,
                            cls.env.ref("stock.group_stock_user").id,
                        ]
                    )
                ],
            }
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": unique("Test Technician"),
                "login": unique("tech"),
                "email": "tech.test@example.com",
                "group_ids": [Command.set([cls.env.ref("fusion_tasks.group_fusion_technician").id])],
                "x_fc_is_technician": True,
                "x_fc_technician_skill_ids": [Command.set(cls.skill.ids)],
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _make_product(cls, **values):
        vals = {
            "name": unique("Stairlift Unit"),
            "type": "consu",
            "list_price": 4500.0,
            "x_fc_repair_category_id": cls.category.id,
        }
        vals.update(values)
        return cls.env["product.product"].create(vals)

    @classmethod
    def _make_order(cls, product, qty=1, commitment="2026-01-10 12:00:00", partner=None):
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.partner).id,
                "commitment_date": commitment,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
            }
        )

    @classmethod
    def _confirm_so(cls, product, qty=1, commitment="2026-01-10 12:00:00", partner=None):
        order = cls._make_order(product, qty=qty, commitment=commitment, partner=partner)
        order.action_confirm()
        return order

    def _contracts_for(self, order):
        return self.Contract.with_context(active_test=False).search(
            [("original_sale_order_id", "=", order.id)], order="id"
        )

    @classmethod
    def _make_contract(cls, partner=None, next_due_date=None, **values):
        vals = {
            "partner_id": (partner or cls.partner).id,
            "product_id": cls._make_product().id,
            "next_due_date": next_due_date or fields.Date.today() + timedelta(days=30),
            "user_id": cls.office_user.id,
        }
        vals.update(values)
        return cls.Contract.create(vals)

    @classmethod
    def _make_task(cls, contract, start=None, state="scheduled"):
        """A visit booked for ``contract`` (as the booking does: task linked on
        the contract)."""
        start = start or datetime.combine(contract.next_due_date, datetime.min.time()) + timedelta(hours=14)
        task = cls.env["fusion.technician.task"].create(
            {
                "task_type": "maintenance",
                "technician_id": cls.technician.id,
                "partner_id": contract.partner_id.id,
                "scheduled_start": start,
                "scheduled_end": start + timedelta(hours=1, minutes=30),
            }
        )
        if state != "scheduled":
            task.state = state
        contract.task_id = task
        return task
