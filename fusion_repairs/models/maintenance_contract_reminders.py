import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..lib import reminder_bands
from .safe_steps import TRANSIENT_DB_ERRORS

_logger = logging.getLogger(__name__)

REMINDER_BATCH_SIZE = 100


class FusionRepairMaintenanceContract(models.Model):
    """Due reminders: the daily job that emails each client the band they are in."""

    _inherit = "fusion.repair.maintenance.contract"

    @api.model
    def _get_reminder_bands(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("fusion_repairs.reminder_bands", reminder_bands.DEFAULT_BANDS)
        )
        try:
            return reminder_bands.parse_bands(value)
        except ValueError:
            _logger.info("Invalid reminder bands %r, using %s", value, reminder_bands.DEFAULT_BANDS)
            return reminder_bands.parse_bands(reminder_bands.DEFAULT_BANDS)

    @api.model
    def _get_reminder_domain(self, today=None, bands=None):
        """Active contracts without a booked visit that are inside a reminder
        band not handled yet this cycle (exactly the contracts for which
        ``reminder_bands.band_to_send`` is not None)."""
        today = today or fields.Date.context_today(self)
        bands = bands or self._get_reminder_bands()
        band_domains = []
        for band, lower in reminder_bands.band_windows(bands):
            window = Domain("next_due_date", "<=", today + timedelta(days=band))
            if lower is not None:
                window &= Domain("next_due_date", ">", today + timedelta(days=lower))
            not_sent = Domain("reminder_band_sent", "=", 0) | Domain("reminder_band_sent", ">", band)
            band_domains.append(window & not_sent)
        return Domain("state", "=", "active") & Domain("is_booked", "=", False) & Domain.OR(band_domains)

    @api.private
    @api.model
    def cron_maintenance_due_reminders(self):
        """The spec's name of :meth:`_cron_maintenance_due_reminders`; not callable over RPC
        (anyone logged in could otherwise send every due reminder at once)."""
        return self._cron_maintenance_due_reminders()

    @api.model
    def _cron_maintenance_due_reminders(self, batch_size=None):
        """Send each due contract the most urgent reminder band it has not had.

        Works in bounded batches and commits after each one: every handled
        contract is stamped with its band, so it leaves the domain and a rerun
        (or the scheduler's next call) never sends it the same band twice. A
        contract that meets a passing database error (a concurrent booking
        holding its row, a serialization failure) is left unstamped: the next
        run sends it.
        """
        batch_size = batch_size or REMINDER_BATCH_SIZE
        bands = self._get_reminder_bands()
        today = fields.Date.context_today(self)
        domain = self._get_reminder_domain(today=today, bands=bands)
        handled_ids = []
        while True:
            contracts = self.search(
                domain & Domain("id", "not in", handled_ids),
                order="next_due_date, id",
                limit=batch_size,
            )
            if not contracts:
                self.env["ir.cron"]._commit_progress(remaining=0)
                break
            for contract in contracts:
                days_left = (contract.next_due_date - today).days
                band = reminder_bands.band_to_send(days_left, bands, contract.reminder_band_sent)
                if not band:
                    continue
                try:
                    with self.env.cr.savepoint():
                        contract._send_due_reminder(band)
                except TRANSIENT_DB_ERRORS:
                    _logger.info("Reminder of %s deferred to the next run", contract.display_name, exc_info=True)
            handled_ids += contracts.ids
            remaining = self.search_count(domain & Domain("id", "not in", handled_ids))
            time_left = self.env["ir.cron"]._commit_progress(len(contracts), remaining=remaining)
            if not remaining or time_left <= 0:
                break
        return True

    def _get_reminder_problem(self):
        """Why the reminder cannot be emailed to the client, or False."""
        self.ensure_one()
        partner = self.partner_id
        if not partner.email:
            return self.env._("%s has no email address.", partner.display_name)
        if not email_normalize(partner.email):
            return self.env._(
                "The email address of %(partner)s is not valid: %(email)s",
                partner=partner.display_name,
                email=partner.email,
            )
        return False

    def _send_due_reminder(self, band):
        """Email the due reminder of ``band`` through the chatter. A mail problem is
        logged on the contract (note + activity) and never raised, so one bad contract
        does not stop the others; the band is stamped either way. A passing database
        error is raised (the caller leaves the band unstamped)."""
        self.ensure_one()
        template = self.env.ref("fusion_repairs.email_template_maintenance_due_reminder", raise_if_not_found=False)
        problem = self._get_reminder_problem()
        if not problem and not template:
            problem = self.env._("The maintenance reminder email template is missing.")
        sent = False
        if not problem:
            _message, error = self._post_client_email(
                template, email_layout_xmlid="mail.mail_notification_light", force_send=False
            )
            sent = not error
            if error:
                # first paragraph only: render errors append the template source
                detail = str(error).split("\n\n", 1)[0][:500]
                problem = self.env._("The email could not be prepared: %s", detail)
        values = {"reminder_band_sent": band}
        if sent:
            values["reminder_last_sent"] = fields.Datetime.now()
        else:
            self._log_reminder_failure(band, problem)
        self.write(values)
        return sent

    def _log_reminder_failure(self, band, problem):
        self.ensure_one()
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._("The %s-day maintenance reminder was not sent.", band),
                problem,
            ),
            subtype_xmlid="mail.mt_note",
        )
        activity_type = self.env.ref(
            "fusion_repairs.mail_activity_type_maintenance_follow_up", raise_if_not_found=False
        )
        if not activity_type or not self.user_id or self.user_id.share:
            return
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        self.activity_schedule(
            activity_type_id=activity_type.id,
            summary=self.env._("Maintenance reminder not sent"),
            note=problem,
            user_id=self.user_id.id,
        )
