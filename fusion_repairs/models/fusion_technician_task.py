import hashlib

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


def booking_token_hash(token):
    """What a task keeps of the booking link it retired (the link itself is never stored twice)."""
    return hashlib.sha256((token or "").encode()).hexdigest() if token else False


class FusionTechnicianTask(models.Model):
    _inherit = "fusion.technician.task"

    maintenance_contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
    )
    repair_order_id = fields.Many2one("repair.order", copy=False, index="btree_not_null", ondelete="set null")
    maintenance_product_id = fields.Many2one(related="maintenance_contract_id.product_id", string="Equipment")
    maintenance_serial = fields.Char(related="maintenance_contract_id.serial_display", string="Serial Number")
    # the client's calendar replaces its copy of the visit only when the .ics sequence grows
    booking_ics_sequence = fields.Integer(copy=False, readonly=True)
    # The booking link of the cycle this visit closed: its old link then says "this visit is done".
    maintenance_token_hash = fields.Char(copy=False, index="btree_not_null", groups="base.group_system")

    # ------------------------------------------------------------------
    # Visit moved from the task form: same follow-up as a move through booking
    # ------------------------------------------------------------------

    def _get_dispatcher_only_fields(self):
        return super()._get_dispatcher_only_fields() | {
            "maintenance_contract_id",
            "repair_order_id",
            "booking_ics_sequence",
            "maintenance_visit_id",
        }

    def _get_office_user(self):
        """A maintenance visit is followed up by its contract's responsible."""
        responsible = self.sudo().maintenance_contract_id.user_id
        if responsible and responsible.active and not responsible.share and responsible != self.technician_id:
            return responsible
        return super()._get_office_user()

    def _get_cannot_do_activity_record(self):
        """The contract: its responsible (often a sales user) may not open technicians' tasks."""
        return self.sudo().maintenance_contract_id or super()._get_cannot_do_activity_record()

    def write(self, vals):
        booked = self.browse()
        # the booking service moves a visit with a new calendar sequence and follows it up
        # itself; any other move of a booked visit (the task form) is followed up here
        if {"scheduled_start", "scheduled_end"} & vals.keys() and "booking_ics_sequence" not in vals:
            booked = self.filtered(lambda task: task._is_booked_maintenance_visit())
        if not booked:
            return super().write(vals)
        old_starts = {task: task.scheduled_start for task in booked}
        # the client hears from us (branded email below), not from the calendar
        res = super(FusionTechnicianTask, booked.with_context(no_mail_to_attendees=True)).write(vals)
        if self - booked:
            super(FusionTechnicianTask, self - booked).write(vals)
        for task in booked:
            if task.scheduled_start != old_starts[task]:
                task._follow_maintenance_visit_move(old_starts[task])
        return res

    def _is_booked_maintenance_visit(self):
        """Whether this task is the visit booked on its maintenance contract this cycle."""
        self.ensure_one()
        contract = self.maintenance_contract_id
        return (
            self.task_type == "maintenance"
            and bool(contract)
            and contract.sudo()._get_current_booking_task() == self.sudo()
        )

    def _follow_maintenance_visit_move(self, old_start):
        """The visit was moved outside booking (e.g. on the task form): the repair order and
        the contract follow, and the client gets the "visit moved" email with a new .ics
        (a higher sequence, so their calendar replaces the old time). No email for a visit
        moved into the past (e.g. the office recording when it really happened)."""
        self.ensure_one()
        task = self.sudo()
        contract = task.maintenance_contract_id
        task.booking_ics_sequence += 1
        contract._sync_moved_visit(task, old_start)
        if task.scheduled_start >= fields.Datetime.now():
            contract._send_booking_confirmation(task, moved=True)

    # ------------------------------------------------------------------
    # Visit done: roll the contract forward, close the repair order
    # ------------------------------------------------------------------

    def _action_done(self):
        res = super()._action_done()
        visits = self.filtered(
            lambda task: (
                task.task_type == "maintenance"
                and task.maintenance_contract_id
                and task.maintenance_contract_id.task_id == task
            )
        )
        for task in visits:
            task._complete_maintenance_visit()
        return res

    def _complete_maintenance_visit(self):
        """Roll the contract to its next cycle and close the visit's repair order."""
        self.ensure_one()
        contract = self.maintenance_contract_id.sudo()
        self.sudo().maintenance_token_hash = booking_token_hash(contract.booking_token)
        contract._roll_forward(self._get_maintenance_service_date(), task=self)
        self._close_maintenance_repair_order()

    def _get_maintenance_service_date(self):
        """The local day of the visit: today, or the planned day if the task is closed later."""
        self.ensure_one()
        tz_name = self.maintenance_contract_id._get_booking_tz()
        today = fields.Date.context_today(self.with_context(tz=tz_name))
        planned = fields.Date.context_today(self.with_context(tz=tz_name), self.scheduled_end)
        return min(today, planned)

    def _close_maintenance_repair_order(self):
        """Move the visit's repair order to done; when core refuses, say why on the order."""
        self.ensure_one()
        repair = self.repair_order_id.sudo()
        if not repair or repair.state in ("done", "cancel"):
            return
        if repair.product_id.is_storable and repair.product_id.tracking != "none" and not repair.lot_id:
            reason = self.env._("the equipment is tracked by serial number and none is recorded on the order")
        else:
            reason = False
            try:
                with self.env.cr.savepoint():
                    if repair.state == "draft":
                        repair._action_repair_confirm()
                    if repair.state == "confirmed":
                        repair.action_repair_start()
                    repair.action_repair_end()
            except (UserError, ValidationError) as exc:
                reason = exc.args[0] if exc.args else str(exc)
        if reason:
            note = Markup("%s") % self.env._(
                "Maintenance visit %(task)s is done, but this repair order could not be closed "
                "automatically: %(reason)s. Please close it by hand.",
                task=self.name,
                reason=reason,
            )
            repair.message_post(body=note, subtype_xmlid="mail.mt_note")
            self.maintenance_contract_id.sudo().message_post(body=note, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Visit cancelled: cancel the repair order and reopen the contract
    # ------------------------------------------------------------------

    def action_cancel(self):
        """A booked maintenance visit is cancelled through its contract (the client is emailed,
        the contract notes it), by those who may write the contract; other tasks as usual."""
        if not self._is_dispatcher():
            return super().action_cancel()  # refused with the "Cannot Do This Visit" hint
        visits = self.filtered(lambda task: task._is_booked_maintenance_visit())
        for task in visits:
            task.maintenance_contract_id.cancel_booking()
        if self - visits:
            super(FusionTechnicianTask, self - visits).action_cancel()
        return True

    def _action_cancel(self):
        res = super()._action_cancel()
        for task in self.filtered("maintenance_contract_id"):
            repair = task.repair_order_id.sudo()
            if repair and repair.state not in ("done", "cancel"):
                repair.action_repair_cancel()  # core refuses when work was recorded on it
            elif repair.state == "done":
                raise UserError(self.env._("it is already done (its work is recorded)."))
            contract = task.maintenance_contract_id.sudo()
            if contract.task_id == task:
                contract.write({"task_id": False, "calendar_event_id": False, "repair_order_id": False})
        return res

    @api.model
    def _find_done_visit_by_token(self, token):
        """The maintenance task whose cycle ended with this booking link, if any."""
        token_hash = booking_token_hash(token)
        if not token_hash:
            return self.browse()
        return self.sudo().search([("maintenance_token_hash", "=", token_hash), ("state", "=", "done")], limit=1)
