import re
from datetime import timedelta

from psycopg2.errors import ExclusionViolation

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

TASK_TYPES = [
    ('maintenance', "Maintenance"),
    ('repair', "Repair"),
    ('delivery', "Delivery"),
    ('other', "Other"),
]
TASK_STATES = [
    ('scheduled', "Scheduled"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
]
# "Key (technician_id, tsrange(...))=(7, [...)) conflicts with existing key (...)"
_OVERLAP_DETAIL_RE = re.compile(r'\)=\((\d+),')


def _overlap_message(env, diag=None):
    """Readable message for the exclusion constraint, naming the technician."""
    technician = env['res.users']
    match = diag and diag.message_detail and _OVERLAP_DETAIL_RE.search(diag.message_detail)
    if match:
        technician = env['res.users'].browse(int(match.group(1))).sudo().exists()
    if technician:
        return env._("%(technician)s already has a task at that time.", technician=technician.name)
    return env._("The technician already has a task at that time.")


class FusionTechnicianTask(models.Model):
    _name = 'fusion.technician.task'
    _description = "Technician Task"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'scheduled_start desc, id desc'
    _check_company_auto = True
    _rec_names_search = ['name', 'partner_id']

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, index='trigram',
        default=lambda self: self.env._("New"))
    task_type = fields.Selection(TASK_TYPES, "Type", required=True, default='other', tracking=True)
    technician_id = fields.Many2one(
        'res.users', "Technician", required=True, index=True, tracking=True,
        domain="[('x_fc_is_technician', '=', True), ('share', '=', False)]",
        default=lambda self: self.env.user if self.env.user.x_fc_is_technician else False)
    partner_id = fields.Many2one('res.partner', "Client", tracking=True, index='btree_not_null', check_company=True)
    partner_street = fields.Char(related='partner_id.street', string="Street")
    partner_street2 = fields.Char(related='partner_id.street2', string="Street 2")
    partner_city = fields.Char(related='partner_id.city', string="City")
    partner_state_id = fields.Many2one(related='partner_id.state_id', string="Province")
    partner_zip = fields.Char(related='partner_id.zip', string="Postal Code")
    partner_country_id = fields.Many2one(related='partner_id.country_id', string="Country")
    partner_phone = fields.Char(related='partner_id.phone', string="Phone")
    partner_email = fields.Char(related='partner_id.email', string="Email")
    scheduled_start = fields.Datetime("Start", required=True, tracking=True, index=True)
    scheduled_end = fields.Datetime("End", required=True, tracking=True)
    duration = fields.Float(
        "Duration", compute='_compute_duration', inverse='_inverse_duration',
        help="Planned duration in hours.")
    state = fields.Selection(
        TASK_STATES, "Status", required=True, default='scheduled', readonly=True, copy=False,
        tracking=True, index=True)
    calendar_event_id = fields.Many2one(
        'calendar.event', "Calendar Event", copy=False, index='btree_not_null', ondelete='set null')
    notes = fields.Html()
    company_id = fields.Many2one(
        'res.company', "Company", required=True, index=True, default=lambda self: self.env.company)

    _check_schedule = models.Constraint(
        'CHECK ((scheduled_end > scheduled_start))',
        "A task must end after it starts.")
    # The real guarantee, also under concurrent transactions: never two
    # non-cancelled tasks of one technician overlapping (touching is fine, the
    # ranges are half-open). Written as PostgreSQL prints it back, so that a
    # module update does not rebuild it.
    _technician_no_overlap = models.Constraint(
        "EXCLUDE USING gist (technician_id WITH =, tsrange(scheduled_start, scheduled_end) WITH &&) "
        "WHERE (((state)::text <> 'cancelled'::text))",
        _overlap_message)

    def init(self):
        super().init()
        # Also for databases where the module was installed before the
        # extension existed (the pre-init hook covers a fresh install).
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends('scheduled_start', 'scheduled_end')
    def _compute_duration(self):
        for task in self:
            if task.scheduled_start and task.scheduled_end:
                task.duration = (task.scheduled_end - task.scheduled_start).total_seconds() / 3600
            else:
                task.duration = 0.0

    def _inverse_duration(self):
        for task in self:
            if task.scheduled_start and task.duration > 0:
                task.scheduled_end = task.scheduled_start + timedelta(hours=task.duration)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get('name') or vals['name'] == self.env._("New"):
                vals['name'] = self.env['ir.sequence'].next_by_code('fusion.technician.task') or self.env._("New")
        try:
            with self.env.cr.savepoint(flush=False):
                return super().create(vals_list)
        except ExclusionViolation as exc:
            raise ValidationError(_overlap_message(self.env, exc.diag)) from None

    def write(self, vals):
        old_technicians = {task: task.technician_id for task in self} if 'technician_id' in vals else {}
        res = super().write(vals)
        if {'scheduled_start', 'scheduled_end', 'technician_id'} & vals.keys():
            self._sync_calendar_events(old_technicians)
        return res

    @api.constrains('technician_id', 'scheduled_start', 'scheduled_end', 'state')
    def _check_technician_overlap(self):
        """Write the changes now, so that the exclusion constraint speaks up
        while we can still turn it into a readable message."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.flush_recordset(['technician_id', 'scheduled_start', 'scheduled_end', 'state'])
        except ExclusionViolation as exc:
            raise ValidationError(_overlap_message(self.env, exc.diag)) from None

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(task.state in ('in_progress', 'done') for task in self):
            raise UserError(self.env._("A task that was started or done cannot be deleted; cancel it instead."))

    def _sync_calendar_events(self, old_technicians):
        """The calendar event follows its task (new times, new technician)."""
        for task in self.filtered('calendar_event_id'):
            event = task.calendar_event_id
            values = {}
            if event.start != task.scheduled_start or event.stop != task.scheduled_end:
                values.update(start=task.scheduled_start, stop=task.scheduled_end)
            old = old_technicians.get(task)
            if old and old != task.technician_id:
                values['partner_ids'] = [
                    fields.Command.unlink(old.partner_id.id),
                    fields.Command.link(task.technician_id.partner_id.id),
                ]
            if values:
                event.write(values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._action_start()
        return True

    def action_done(self):
        self._action_done()
        return True

    def action_cancel(self):
        self._action_cancel()
        return True

    def _action_start(self):
        wrong = self.filtered(lambda task: task.state != 'scheduled')
        if wrong:
            raise UserError(self.env._(
                "Only scheduled tasks can be started: %(tasks)s.",
                tasks=", ".join(wrong.mapped('display_name'))))
        self.write({'state': 'in_progress'})

    def _action_done(self):
        wrong = self.filtered(lambda task: task.state not in ('scheduled', 'in_progress'))
        if wrong:
            raise UserError(self.env._(
                "Only scheduled or started tasks can be marked done: %(tasks)s.",
                tasks=", ".join(wrong.mapped('display_name'))))
        self.write({'state': 'done'})

    def _action_cancel(self):
        wrong = self.filtered(lambda task: task.state == 'done')
        if wrong:
            raise UserError(self.env._(
                "A task that is done cannot be cancelled: %(tasks)s.",
                tasks=", ".join(wrong.mapped('display_name'))))
        self.write({'state': 'cancelled'})
        self.calendar_event_id.filtered('active').action_archive()
