import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..lib import reminder_bands
from .safe_steps import TRANSIENT_DB_ERRORS, try_step

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

        Each batch is the next contracts by id (a keyset: ``id > last id``), so that
        a batch costs the same whatever the number already handled; its emails are
        rendered together and its stamps written together (see
        :meth:`_send_due_reminders`).
        """
        batch_size = batch_size or REMINDER_BATCH_SIZE
        bands = self._get_reminder_bands()
        today = fields.Date.context_today(self)
        domain = self._get_reminder_domain(today=today, bands=bands)
        last_id = 0
        while True:
            contracts = self.search(domain & Domain("id", ">", last_id), order="id", limit=batch_size)
            if not contracts:
                self.env["ir.cron"]._commit_progress(remaining=0)
                break
            last_id = contracts[-1].id
            contracts._send_due_reminders(today, bands)
            remaining = self.search_count(domain & Domain("id", ">", last_id)) if len(contracts) == batch_size else 0
            time_left = self.env["ir.cron"]._commit_progress(len(contracts), remaining=remaining)
            if not remaining or time_left <= 0:
                break
        return True

    def _send_due_reminders(self, today, bands):
        """Send the contracts of ``self`` (one batch of the daily job) the reminder band
        each is due for, as :meth:`_send_due_reminder` does for one contract.

        Rendered in one go, posted one by one, stamped with one write per band, all
        in one savepoint. If anything fails in it (a template error for one client,
        a concurrent booking holding a row), the batch is rolled back to the
        savepoint and sent again one contract at a time, each on its own.
        """
        todo = {}
        for contract in self:
            band = reminder_bands.band_to_send(
                (contract.next_due_date - today).days, bands, contract.reminder_band_sent
            )
            if band:
                todo[contract] = band
        if not todo:
            return
        template = self.env.ref("fusion_repairs.email_template_maintenance_due_reminder", raise_if_not_found=False)
        problems = {}
        for contract in todo:
            problem = contract._get_reminder_problem()
            if not problem and not template:
                problem = self.env._("The maintenance reminder email template is missing.")
            if problem:
                problems[contract] = problem
        to_send = self.browse([contract.id for contract in todo if contract not in problems])
        try:
            with self.env.cr.savepoint():
                to_send._post_due_reminders(template)
                stamped_at = fields.Datetime.now()
                for band, contracts in to_send.grouped(lambda c: todo[c]).items():
                    contracts.write({"reminder_band_sent": band, "reminder_last_sent": stamped_at})
                    contracts._due_reminders_sent(band)
        except Exception:  # pylint: disable=broad-except
            _logger.info("Due reminders of %s sent one by one", to_send, exc_info=True)
            to_send.invalidate_recordset()
            for contract in to_send:
                try:
                    with self.env.cr.savepoint():
                        contract._send_due_reminder(todo[contract])
                except TRANSIENT_DB_ERRORS:
                    _logger.info("Reminder of %s deferred to the next run", contract.display_name, exc_info=True)
        for contract, problem in problems.items():
            try:
                with self.env.cr.savepoint():
                    contract._log_reminder_failure(todo[contract], problem)
                    contract.write({"reminder_band_sent": todo[contract]})
            except TRANSIENT_DB_ERRORS:
                _logger.info("Reminder of %s deferred to the next run", contract.display_name, exc_info=True)

    def _post_due_reminders(self, template):
        """Post ``template`` on the chatter of every contract of ``self``, emailed to its
        recipients (the template's: the client) only, exactly as :meth:`_post_client_email`
        posts it on one contract, but rendered for all the contracts at once (Odoo's mail
        composer in batch mode) before posting each message. Raises on any error."""
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        for company, contracts in self.grouped("company_id").items():
            contracts = contracts.with_company(company)
            composer = (
                self.env["mail.compose.message"]
                .with_company(company)
                .with_context(
                    default_composition_mode="comment",
                    default_model=self._name,
                    default_res_ids=contracts.ids,
                    default_template_id=template.id,
                )
                .create(
                    {
                        # a domain: batch mode even for one contract, so that one contract alone
                        # gets the same recipients (the template's, not "suggested" ones) and author
                        "res_domain": repr([("id", "in", contracts.ids)]),
                        "message_type": "comment",
                        "subtype_id": subtype_id,
                        "notify_skip_followers": True,
                        "force_send": False,
                    }
                )
            )
            post_values_all = composer.with_context(
                fusion_reminder_covering=contracts._get_covering_subscriptions()
            )._prepare_mail_values(contracts.ids)
            # as Odoo's composer does for one record (mail.compose.message _compute_authorship):
            # the author is the partner of the rendered sender address, else the current user
            authors = {}
            for values in post_values_all.values():
                email_from = values.get("email_from")
                if email_from not in authors:
                    authors[email_from] = (
                        self.env["mail.thread"]
                        .with_context(active_test=False)
                        ._message_compute_author(None, email_from)[0]
                        if email_from
                        else None
                    ) or self.env.user.partner_id.id
                values["author_id"] = authors[email_from]
            # a batch run by the scheduler: the sending user does not follow every contract;
            # what each message would look up again is looked up once for the batch
            contracts = contracts.with_context(
                mail_post_autofollow_author_skip=True,
                fusion_reminder_partner_root=self.env.ref("base.partner_root").id,
            )
            for res_id, values in post_values_all.items():
                contracts.browse(res_id).message_post(**values)

    def _get_covering_subscriptions(self):
        """``_get_covering_subscription()`` of every contract of ``self`` (on its default
        date), with one search: ``{contract id: subscription id or False}``."""
        today = fields.Date.context_today(self)
        on_dates = {contract.id: max(contract.next_due_date or today, today) for contract in self}
        if not on_dates:
            return {}
        candidates = (
            self.env["fusion.repair.service.plan.subscription"]
            .sudo()
            .search(
                [
                    ("state", "=", "active"),
                    ("contract_ids", "in", self.ids),
                    ("date_start", "<=", max(on_dates.values())),
                    ("date_end", ">=", min(on_dates.values())),
                ],
                order="date_end, id",
            )
        )
        return {
            contract.id: candidates.filtered(lambda sub, c=contract: sub._covers(c, on_dates[c.id]))[:1].id
            for contract in self
        }

    def _message_compute_real_author(self, author_id):
        # mail.thread's, with OdooBot's partner looked up once per batch of reminders instead
        # of twice per message (it is env.ref(), an existence query, there)
        root_id = self.env.context.get("fusion_reminder_partner_root")
        if not root_id:
            return super()._message_compute_real_author(author_id)
        real_author = self.env["res.partner"]
        if self.env.user.active:
            real_author = self.env.user.partner_id
        elif author_id:
            author = self.env["res.partner"].browse(author_id)
            if author.active and author.id != root_id:
                real_author = author
        return real_author

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
        """Email the due reminder of ``band`` through the chatter (the batch of the daily
        job does the same for many contracts at once: :meth:`_send_due_reminders`). A mail problem is
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
            _result, error = try_step(
                self.env.cr,
                lambda: self._post_due_reminders(template),
                f"Due reminder of {self.display_name}",
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
        if sent:
            self._due_reminders_sent(band)
        return sent

    def _due_reminders_sent(self, band):
        """Hook: the reminder of ``band`` was just emailed to every contract of ``self``
        (one by one or as a batch of the daily job)."""

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
