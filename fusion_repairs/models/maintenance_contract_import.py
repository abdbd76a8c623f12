from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import escape_psql


class FusionRepairMaintenanceContract(models.Model):
    """Units sold before Odoo, imported from a spreadsheet (client, product, serial,
    delivered on) with Odoo's standard Import.

    The first visit is counted from the delivery date when no due date is given, and a
    serial that already has a live contract is refused, so that importing the same sheet
    twice (or a unit enrolled from a sale meanwhile) creates nothing twice.
    """

    _inherit = "fusion.repair.maintenance.contract"

    @api.depends("interval_months", "last_service_date", "delivery_date")
    def _compute_next_due_date(self):
        """A unit known only by its delivery date is due one interval after it."""
        from_delivery = self.filtered(lambda c: not c.next_due_date and not c.last_service_date and c.delivery_date)
        for contract in from_delivery:
            contract.next_due_date = contract.delivery_date + relativedelta(months=contract.interval_months or 6)
        return super(FusionRepairMaintenanceContract, self - from_delivery)._compute_next_due_date()

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("import_file"):
            for vals in vals_list:
                vals.setdefault("x_fc_source", "backfill")
        return super().create(vals_list)

    @api.constrains("x_fc_device_serial", "lot_id", "product_id", "state")
    def _check_imported_serial_not_enrolled(self):
        """One unit, one live contract, for imports only: a sale may enrol a resold unit for
        its new owner before the delivery ends the previous owner's contract."""
        if not self.env.context.get("import_file"):
            return
        Contract = self.sudo()
        for contract in self.filtered(lambda c: c.state != "cancelled" and c.serial_display):
            serial = contract.serial_display.strip()
            other = Contract.search(
                Domain("id", "!=", contract.id)
                & Domain("product_id", "=", contract.product_id.id)
                & Domain("company_id", "=", contract.company_id.id)
                & Domain("state", "!=", "cancelled")
                & (
                    Domain("x_fc_device_serial", "=ilike", escape_psql(serial))
                    | Domain("lot_id.name", "=ilike", escape_psql(serial))
                ),
                order="id",
                limit=1,
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "Serial %(serial)s of %(product)s already has a live maintenance contract:"
                        " %(contract)s of %(client)s. Leave this row out, or cancel that contract first.",
                        serial=serial,
                        product=contract.product_id.display_name,
                        contract=other.name,
                        client=other.partner_id.display_name,
                    )
                )
