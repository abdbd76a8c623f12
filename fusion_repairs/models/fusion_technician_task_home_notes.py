"""The client's notes for the technician on the visit's task (see
``maintenance_contract_home_notes.py``): the technician reads them on the phone (own tasks
only, the task's record rules); only dispatchers change them on the task."""

from odoo import api, fields, models


class FusionTechnicianTask(models.Model):
    _inherit = "fusion.technician.task"

    home_notes = fields.Text(
        string="At the Door",
        copy=False,
        help="The client's notes for the technician: door or building code, pets, parking, where the "
        "equipment is, stairs. Never emailed.",
    )

    def _get_dispatcher_only_fields(self):
        return super()._get_dispatcher_only_fields() | {"home_notes"}

    @api.model_create_multi
    def create(self, vals_list):
        # a new visit of a contract starts with the notes kept from the last booking
        contract_ids = {
            vals["maintenance_contract_id"]
            for vals in vals_list
            if vals.get("maintenance_contract_id") and "home_notes" not in vals
        }
        if contract_ids:
            # only from contracts the creating user may read (the booking door runs as sudo)
            contracts = self.env["fusion.repair.maintenance.contract"].browse(contract_ids)._filtered_access("read")
            notes = {contract.id: contract.home_notes for contract in contracts.sudo()}
            vals_list = [
                {**vals, "home_notes": notes.get(vals["maintenance_contract_id"]) or False}
                if vals.get("maintenance_contract_id") and "home_notes" not in vals
                else vals
                for vals in vals_list
            ]
        return super().create(vals_list)

    def write(self, vals):
        # home_notes is a dispatcher-only field: the write below is refused to anyone else
        res = super().write(vals)
        if "home_notes" in vals:
            self.check_access("write")
        if "home_notes" in vals and not self.env.context.get("fusion_home_notes_sync"):
            # the office corrected the booked visit's notes: the next booking starts from them
            for task in self.filtered("maintenance_contract_id"):
                if task._is_booked_maintenance_visit():
                    contract = task.sudo().maintenance_contract_id
                    if (contract.home_notes or False) != (task.home_notes or False):
                        contract.with_context(fusion_home_notes_sync=True).write({"home_notes": task.home_notes})
        return res
