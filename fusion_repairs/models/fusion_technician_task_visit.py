from odoo import api, fields, models
from odoo.exceptions import UserError


class FusionTechnicianTask(models.Model):
    """A maintenance task and its visit record: the checklist on the technician's phone, the
    visit finished with the task, or recorded as not done."""

    _inherit = "fusion.technician.task"

    maintenance_visit_ids = fields.One2many("fusion.repair.maintenance.visit", "task_id", string="Visit Records")
    maintenance_visit_id = fields.Many2one(
        "fusion.repair.maintenance.visit",
        string="Visit Record",
        compute="_compute_maintenance_visit_id",
        store=True,
        index="btree_not_null",
    )
    visit_line_ids = fields.One2many(related="maintenance_visit_id.line_ids", readonly=False, string="Checklist")
    visit_notes = fields.Html(related="maintenance_visit_id.notes", readonly=False, string="Remarks")
    visit_photo_ids = fields.Many2many(related="maintenance_visit_id.photo_ids", readonly=False, string="Photos")
    visit_state = fields.Selection(related="maintenance_visit_id.state", string="Visit Status")
    visit_result = fields.Selection(related="maintenance_visit_id.result", string="Visit Result")
    visit_missing_check_count = fields.Integer(related="maintenance_visit_id.missing_check_count")

    @api.depends("maintenance_visit_ids")
    def _compute_maintenance_visit_id(self):
        for task in self:
            task.maintenance_visit_id = task.maintenance_visit_ids[:1]

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_finish_visit(self):
        """Done on a maintenance visit: the client signs, then the visit and the task close."""
        self.ensure_one()
        self.check_access("write")
        self._check_planned_day_reached()
        self.maintenance_visit_id._check_ready_to_finish()
        return self._open_visit_wizard("fusion.repair.maintenance.visit.finish", self.env._("Finish the Visit"))

    def action_visit_not_done(self):
        """Nothing could be done on site (client absent, unit not reachable): say why."""
        self.ensure_one()
        self.check_access("write")
        return self._open_visit_wizard("fusion.repair.maintenance.visit.not.done", self.env._("Visit Not Done"))

    def _open_visit_wizard(self, model, title):
        if self.state not in ("scheduled", "in_progress") or not self.maintenance_visit_id:
            raise UserError(self.env._("This task has no visit to finish."))
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_task_id": self.id},
        }

    # ------------------------------------------------------------------
    # The visit follows its task
    # ------------------------------------------------------------------

    def _action_start(self):
        res = super()._action_start()
        now = fields.Datetime.now()
        for visit in self.sudo().maintenance_visit_ids.filtered(lambda v: v.state == "planned" and not v.arrival_time):
            visit.arrival_time = now
        return res

    def _action_done(self):
        visits = self.sudo().maintenance_visit_ids.filtered(lambda visit: visit.state == "planned")
        visits._check_ready_to_finish()
        res = super()._action_done()
        visits._finish()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.sudo().maintenance_visit_ids._cancel()
        return res

    def _record_visit_not_done(self, reason, note=None):
        """The technician came but nothing could be done: the visit says why, the task is done,
        the contract is not rolled forward (its booking is freed) and the office gets an
        activity to rebook."""
        self.ensure_one()
        task = self.sudo()
        contract = task.maintenance_contract_id
        visit = task.maintenance_visit_id
        if not visit or visit.state != "planned":
            raise UserError(self.env._("This task has no visit to record."))
        visit._record_not_done(reason, note)
        reason_label = dict(visit._fields["not_done_reason"].selection)[reason]
        if contract.task_id == task:
            repair = task.repair_order_id
            if repair and repair.state not in ("done", "cancel"):
                repair.action_repair_cancel()
            contract.write({"task_id": False, "calendar_event_id": False, "repair_order_id": False})
        task.with_context(no_mail_to_attendees=True)._action_done()
        summary = self.env._("Rebook maintenance visit: %s", reason_label)
        contract.message_post(
            body=self.env._(
                "Maintenance visit %(task)s could not be done (%(reason)s)%(note)s. The unit still needs its"
                " maintenance: please rebook it with the client.",
                task=task.name,
                reason=reason_label,
                note=f": {note.strip().rstrip('.')}" if note and note.strip() else "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        activity_type = self.env.ref(
            "fusion_repairs.mail_activity_type_maintenance_follow_up", raise_if_not_found=False
        )
        responsible = contract.user_id if contract.user_id and not contract.user_id.share else task._get_office_user()
        contract.activity_schedule(
            activity_type_id=activity_type.id if activity_type else None,
            summary=summary,
            note=note or reason_label,
            user_id=responsible.id,
        )
        return True
