"""Due reminders (SPEC flow 2), run the way the scheduler runs the daily job; in batches, the
cost of a contract does not grow with their number, and a batch sends as one contract alone does."""

from datetime import date, timedelta

from freezegun import freeze_time
from markupsafe import Markup

from odoo import SUPERUSER_ID, api
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FusionRepairsCommon, unique

TODAY = date(2026, 3, 2)
MAX_QUERIES_PER_CONTRACT = 12


def at(day):
    """Freeze the clock at noon UTC of ``day`` (the same date in every Canadian zone)."""
    return freeze_time(f"{day.isoformat()} 12:00:00")


@tagged("post_install", "-at_install")
class TestDueReminders(FusionRepairsCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders")
        cls.template = cls.env.ref("fusion_repairs.email_template_maintenance_due_reminder")
        cls.follow_up = cls.env.ref("fusion_repairs.mail_activity_type_maintenance_follow_up")
        cls.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "30,7,1")
        cls.batch_product = cls._make_product()

    def _client(self, email="client@example.com", name="Client"):
        return self.env["res.partner"].create({"name": unique(name), "email": email, "zip": "M4C 1A1"})

    def _contract_due_in(self, days, **values):
        with at(TODAY):
            partner = values.pop("partner", None) or self._client()
            return self._make_contract(partner=partner, next_due_date=TODAY + timedelta(days=days), **values)

    def _run_cron(self, day=TODAY):
        with at(day), self.mock_mail_gateway(), self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _run_in_new_cursor(self, function, day=TODAY):
        """Call a cron method directly, in its own transaction like the scheduler."""
        with at(day), self.mock_mail_gateway(), self.enter_registry_test_mode():
            with self.registry.cursor() as cr:
                function(api.Environment(cr, SUPERUSER_ID, {}))
        self.env.invalidate_all()

    def _mails_to(self, contract):
        """Emails queued for the client of ``contract`` about that contract."""
        return self.env["mail.mail"].search(
            [
                ("model", "=", contract._name),
                ("res_id", "=", contract.id),
                ("recipient_ids", "in", contract.partner_id.ids),
            ]
        )

    # ------------------------------------------------------------------

    def test_cron_run_twice_sends_one_mail_per_band(self):
        contract = self._contract_due_in(30)
        self._run_cron()
        self.assertEqual(len(self._mails_to(contract)), 1)
        self.assertEqual(contract.reminder_band_sent, 30)
        self.assertTrue(contract.reminder_last_sent)

        self._run_cron()
        self.assertEqual(len(self._mails_to(contract)), 1, "the same band is never sent twice")

        self._run_cron(TODAY + timedelta(days=10))  # 20 days left: still the 30-day band
        self.assertEqual(len(self._mails_to(contract)), 1)

        self._run_cron(TODAY + timedelta(days=23))  # 7 days left
        self.assertEqual(len(self._mails_to(contract)), 2)
        self.assertEqual(contract.reminder_band_sent, 7)
        self._run_cron(TODAY + timedelta(days=23))
        self.assertEqual(len(self._mails_to(contract)), 2)

        self._run_cron(TODAY + timedelta(days=29))  # 1 day left
        self.assertEqual(len(self._mails_to(contract)), 3)
        self.assertEqual(contract.reminder_band_sent, 1)
        self._run_cron(TODAY + timedelta(days=31))  # overdue: nothing more this cycle
        self.assertEqual(len(self._mails_to(contract)), 3)

    def test_reminder_is_posted_in_the_chatter(self):
        contract = self._contract_due_in(7)
        self._run_cron()
        message = contract.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertIn(contract.product_id.name, message.subject)
        self.assertIn(contract.partner_id, message.partner_ids)
        self.assertIn(contract.booking_url, message.body)

    def test_mail_body_has_fee_link_and_details(self):
        self.env.company.phone = "+1 416-555-0100"
        contract = self._contract_due_in(30, x_fc_device_serial="SL-445566")
        self._run_cron()
        mail = self._mails_to(contract)
        self.assertEqual(len(mail), 1)
        body = mail.body_html
        self.assertIn(contract.product_id.name, mail.subject)
        self.assertIn(contract.product_id.name, body)
        self.assertIn("SL-445566", body)
        self.assertIn("149.00", body)
        self.assertIn("+ applicable tax", body)
        self.assertIn("Choose a time", body)
        self.assertIn(f'href="{contract.booking_url}"', body)
        self.assertIn("/repairs/maintenance/book/" + contract.booking_token, body)
        self.assertIn("April 1, 2026", body, "due date written out")
        self.assertIn("+1 416-555-0100", body, "office phone number")
        self.assertEqual(mail.state, "outgoing", "queued in the mail queue")

    def test_no_fee_line_when_the_visit_is_free(self):
        contract = self._contract_due_in(30, x_fc_maintenance_fee=0.0)
        self._run_cron()
        body = self._mails_to(contract).body_html
        self.assertIn("Choose a time", body)
        self.assertNotIn("applicable tax", body)

    def test_catch_up_sends_only_the_most_urgent_band(self):
        one_day = self._contract_due_in(1)
        five_days = self._contract_due_in(5)
        self._run_cron()
        self.assertEqual(len(self._mails_to(one_day)), 1)
        self.assertEqual(one_day.reminder_band_sent, 1)
        self.assertEqual(len(self._mails_to(five_days)), 1)
        self.assertEqual(five_days.reminder_band_sent, 7)

    def test_nothing_for_paused_cancelled_booked_or_not_yet_due(self):
        paused = self._contract_due_in(7)
        paused.action_pause()
        cancelled = self._contract_due_in(7)
        cancelled.action_cancel()
        booked = self._contract_due_in(7)
        self._make_task(booked)
        later = self._contract_due_in(45)
        self._run_cron()
        for contract in (paused, cancelled, booked, later):
            self.assertFalse(self._mails_to(contract))
            self.assertEqual(contract.reminder_band_sent, 0)

    def test_new_cycle_after_roll_forward(self):
        contract = self._contract_due_in(1)
        self._run_cron()
        self.assertEqual(contract.reminder_band_sent, 1)
        with at(TODAY):
            contract._roll_forward(TODAY + timedelta(days=2))
        self.assertEqual(contract.next_due_date, date(2026, 9, 4))
        self._run_cron(date(2026, 8, 5))  # 30 days before the new due date
        self.assertEqual(contract.reminder_band_sent, 30)
        self.assertEqual(len(self._mails_to(contract)), 2)

    def test_broken_contract_does_not_stop_the_others(self):
        no_email = self._contract_due_in(7, partner=self._client(email=False, name="No Email"))
        bad_email = self._contract_due_in(7, partner=self._client(email="not an address", name="Bad"))
        render_error = self._contract_due_in(7, partner=self._client(name="Broken Render"))
        good_before = self._contract_due_in(6)
        good_after = self._contract_due_in(7)
        # a template error that hits one client only
        self.template.body_html = Markup(self.template.body_html) + Markup(
            '<p t-if="object.partner_id.name.startswith(\'Broken Render\')" t-out="1 // 0">x</p>'
        )

        with mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            self._run_cron()

        for good in (good_before, good_after):
            self.assertEqual(len(self._mails_to(good)), 1)
            self.assertEqual(good.reminder_band_sent, 7)
        for broken, reason in (
            (no_email, "has no email address"),
            (bad_email, "is not valid"),
            (render_error, "could not be prepared"),
        ):
            with self.subTest(contract=broken.partner_id.name):
                self.assertFalse(self._mails_to(broken))
                self.assertFalse(broken.message_ids.filtered(lambda m: m.message_type == "comment"))
                note = broken.message_ids.filtered(lambda m: "was not sent" in (m.body or ""))
                self.assertEqual(len(note), 1, "the failure is logged on the contract")
                self.assertIn(reason, note.body)
                activity = broken.activity_ids
                self.assertEqual(activity.activity_type_id, self.follow_up)
                self.assertEqual(activity.user_id, self.office_user)
                self.assertEqual(broken.reminder_band_sent, 7, "not retried every day")
                self.assertFalse(broken.reminder_last_sent)

        # the next run does not pile up notes or activities
        with mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            self._run_cron()
        self.assertEqual(len(no_email.activity_ids), 1)

    def test_many_contracts_in_batches(self):
        contracts = self.Contract
        for _i in range(5):
            contracts |= self._contract_due_in(7)
        # a small batch size forces several commits in one run
        self._run_in_new_cursor(lambda env: env[self.Contract._name]._cron_maintenance_due_reminders(batch_size=2))
        self.assertEqual(set(contracts.mapped("reminder_band_sent")), {7})
        for contract in contracts:
            self.assertEqual(len(self._mails_to(contract)), 1)

    def test_configured_bands(self):
        self.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "14")
        fourteen = self._contract_due_in(14)
        thirty = self._contract_due_in(30)
        self._run_cron()
        self.assertEqual(fourteen.reminder_band_sent, 14)
        self.assertFalse(self._mails_to(thirty))

    def test_public_alias(self):
        contract = self._contract_due_in(30)
        self._run_in_new_cursor(lambda env: env[self.Contract._name].cron_maintenance_due_reminders())
        self.assertEqual(contract.reminder_band_sent, 30)

    # -- batches ------------------------------------------------------

    def _due_contracts(self, count, days=7):
        partners = self.env["res.partner"].create(
            [
                {"name": unique("Batch Client"), "email": f"batch.{i}@example.com", "zip": "M4C 1A1"}
                for i in range(count)
            ]
        )
        with at(TODAY):
            return self.Contract.create(
                [
                    {
                        "partner_id": partner.id,
                        "product_id": self.batch_product.id,
                        "next_due_date": TODAY + timedelta(days=days),
                        "user_id": self.office_user.id,
                    }
                    for partner in partners
                ]
            )

    def _queries_of_run(self, batch_size):
        before = self.cr.sql_log_count
        self._run_in_new_cursor(
            lambda env: env[self.Contract._name]._cron_maintenance_due_reminders(batch_size=batch_size)
        )
        return self.cr.sql_log_count - before

    def test_queries_per_contract_do_not_grow_with_their_number(self):
        self._run_cron()  # the demo contracts due, if any, out of the way
        few = self._due_contracts(50)
        few_queries = self._queries_of_run(batch_size=20) / len(few)
        many = self._due_contracts(200)
        many_queries = self._queries_of_run(batch_size=20) / len(many)

        self.assertEqual(set((few | many).mapped("reminder_band_sent")), {7}, "every contract handled")
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", self.Contract._name), ("res_id", "in", (few | many).ids)]
            ),
            250,
            "one email per contract",
        )
        self.assertLessEqual(many_queries, few_queries, f"{many_queries:.1f} queries per contract, {few_queries:.1f}")
        self.assertLessEqual(many_queries, MAX_QUERIES_PER_CONTRACT)

    def test_a_batch_sends_to_the_template_recipients(self):
        informed = self._client(email="daughter@example.com", name="Informed Daughter")
        self.template.write({"use_default_to": False, "partner_to": "{{ object.partner_id.id }}," + str(informed.id)})
        alone = self._due_contracts(1)
        self._run_cron()  # one contract: Odoo's composer in single-record mode
        batch = self._due_contracts(3)
        self._run_cron()  # several: in batch mode
        for contract in alone | batch:
            with self.subTest(contract=contract.partner_id.name):
                message = contract.message_ids.filtered(lambda m: m.message_type == "comment")
                self.assertEqual(message.partner_ids, contract.partner_id | informed)
                self.assertEqual(len(self._mails_to(contract)), 1)
                mails = self.env["mail.mail"].search(
                    [("mail_message_id", "=", message.id), ("recipient_ids", "in", informed.ids)]
                )
                self.assertEqual(len(mails), 1, "the informed contact is emailed too")

    def test_a_batch_posts_as_one_contract_alone_does(self):
        alone = self._due_contracts(1)
        self._run_cron()
        batch = self._due_contracts(2)
        self._run_cron()

        def posted(contract):
            message = contract.message_ids.filtered(lambda m: m.message_type == "comment")
            mail = self._mails_to(contract)
            return (
                message.author_id,
                message.email_from,
                message.reply_to,
                message.subtype_id,
                message.subject,
                mail.email_from,
                mail.state,
                mail.auto_delete,
            )

        self.assertEqual(posted(batch[0]), posted(alone))
        self.assertEqual(posted(batch[1]), posted(alone))
        for contract in alone | batch:
            body = self._mails_to(contract).body_html
            self.assertIn(contract.booking_url, body)
            self.assertIn(contract.partner_id.name, body)
