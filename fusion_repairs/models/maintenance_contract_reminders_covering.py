from odoo import models


class FusionRepairMaintenanceContract(models.Model):
    """The service plan covering each contract, for a batch of due reminders: their template
    asks it of every contract, the batch has looked it up for all at once
    (``_get_covering_subscriptions``). In its own file, loaded after the billing one whose
    method it extends."""

    _inherit = "fusion.repair.maintenance.contract"

    def _get_covering_subscription(self, on_date=None):
        # during a batch of reminders (the template asks it of each contract): from the batch's
        # single search, see _get_covering_subscriptions
        covering = self.env.context.get("fusion_reminder_covering")
        if on_date is None and covering is not None and len(self) == 1 and self.id in covering:
            return self.env["fusion.repair.service.plan.subscription"].sudo().browse(covering[self.id] or [])
        return super()._get_covering_subscription(on_date=on_date)
