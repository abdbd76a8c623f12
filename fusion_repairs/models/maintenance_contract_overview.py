from odoo import models


class FusionRepairMaintenanceContract(models.Model):
    """What the overview needs recorded as it happens: each reminder sent (with its band)
    and, for each booking, who booked it and which reminder it followed."""

    _inherit = "fusion.repair.maintenance.contract"

    def _due_reminders_sent(self, band):
        super()._due_reminders_sent(band)
        self.env["fusion.repair.maintenance.reminder.log"].sudo().create(
            [{"contract_id": contract.id, "band": band, "due_date": contract.next_due_date} for contract in self]
        )

    def _create_booking(self, slot, technician, by):
        task = super(FusionRepairMaintenanceContract, self.with_context(fc_booked_by=by))._create_booking(
            slot, technician, by
        )
        self._fc_credit_last_reminder(task, by)
        return task

    def _prepare_booking_task_values(self, slot, technician):
        values = super()._prepare_booking_task_values(slot, technician)
        if self.env.context.get("fc_booked_by"):
            values["booked_by"] = self.env.context["fc_booked_by"]
        return values

    def _fc_credit_last_reminder(self, task, by):
        """The cycle's last reminder (if not credited yet) led to this booking."""
        self.ensure_one()
        last = (
            self.env["fusion.repair.maintenance.reminder.log"]
            .sudo()
            .search(
                [("contract_id", "=", self.id), ("due_date", "=", self.next_due_date)],
                order="sent_on desc, id desc",
                limit=1,
            )
        )
        if last and not last.booked:
            last.write({"booked": True, "booked_by": by, "task_id": task.id})
