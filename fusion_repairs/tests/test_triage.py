"""Triage from the booking link: "Please call me instead" and "My equipment is not working or
feels unsafe". One activity per request (the unsafe one urgent, with a draft repair order), one
request per double click, a few a day, and nothing at all for a forged or malformed post."""

from datetime import timedelta

from freezegun import freeze_time as move_to

from odoo import Command, fields
from odoo.tests import HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, OFFICE_PHONE, BookingFixturesMixin, BookingHttpMixin

CLIENT_PHONE = "+1 416 555 0100"  # of the fixtures' client
PORTAL_PASSWORD = "H3-portal-triage-2027"
TRIAGE_TYPES = (
    "fusion_repairs.mail_activity_type_client_callback",
    "fusion_repairs.mail_activity_type_unsafe_equipment",
)


class TriageAssertions:
    def _activities(self, contract=None):
        contract = contract or self.contract
        types = self.env["mail.activity.type"]
        for xmlid in TRIAGE_TYPES:
            types |= self.env.ref(xmlid)
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", contract._name),
                    ("res_id", "=", contract.id),
                    ("activity_type_id", "in", types.ids),
                ]
            )
        )

    def _repairs(self, contract=None):
        contract = contract or self.contract
        return self.env["repair.order"].search([("x_fc_maintenance_contract_id", "=", contract.id)])

    def _created(self, contract=None):
        """Everything a request could create, to prove that nothing was."""
        contract = contract or self.contract
        self.env.invalidate_all()
        return (
            self._activities(contract).ids,
            self._repairs(contract).ids,
            self.env["fusion.repair.triage.request"].search([("contract_id", "=", contract.id)]).ids,
            len(contract.message_ids),
        )


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestTriageModel(BookingFixturesMixin, TriageAssertions, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls._setup_booking_fixtures()
        cls.office = cls.env["res.users"].create(
            {
                "name": "H3 Office Triage",
                "login": "office.triage@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.contract.user_id = cls.office
        cls.public_contract = cls.contract.with_user(cls.env.ref("base.public_user"))

    def test_call_me_creates_one_activity_with_the_phone_and_time(self):
        result = self.public_contract._triage_request_callback("afternoon", "Ring twice, I am slow to the phone")
        self.assertEqual(result["status"], "created")
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref(TRIAGE_TYPES[0]))
        self.assertEqual(activity.user_id, self.office)
        self.assertIn(CLIENT_PHONE, activity.summary)
        self.assertIn("in the afternoon", activity.summary)
        self.assertIn("Ring twice", str(activity.note))
        self.assertNotIn("URGENT", activity.summary)
        self.assertFalse(self._repairs())
        self.assertTrue(
            self.contract.message_ids.filtered(lambda m: "to be called back in the afternoon" in str(m.body))
        )

    def test_unsafe_creates_urgent_activity_due_today_and_draft_repair(self):
        tracked = self._create_serial_tracked_product()
        lot = self.env["stock.lot"].create({"name": "SL-H3-LOT-77", "product_id": tracked.id})
        self.contract.write({"product_id": tracked.id, "lot_id": lot.id})
        result = self.public_contract._triage_report_unsafe("It jerks and stops halfway up the stairs")
        self.assertEqual(result["status"], "created")
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref(TRIAGE_TYPES[1]))
        self.assertTrue(activity.summary.startswith("URGENT"))
        self.assertIn(CLIENT_PHONE, activity.summary)
        self.assertEqual(activity.date_deadline, fields.Date.to_date("2027-01-11"), "due today in Toronto")
        repair = self._repairs()
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.state, "draft")
        self.assertEqual(
            (repair.partner_id, repair.product_id, repair.lot_id), (self.client, tracked, lot), "the client's unit"
        )
        self.assertIn("It jerks and stops halfway up the stairs", str(repair.internal_notes))
        self.assertIn(repair.name, str(activity.note))
        note = self.contract.message_ids.filtered(lambda m: "URGENT" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn(f'data-oe-model="repair.order" data-oe-id="{repair.id}"', str(note.body), "linked on the chatter")

    def test_double_click_creates_one_request(self):
        first = self.public_contract._triage_report_unsafe("It beeps")
        before = self._created()
        second = self.public_contract._triage_report_unsafe("It beeps")
        self.assertEqual(second["status"], "duplicate")
        self.assertEqual(second["activity"], first["activity"])
        self.assertEqual(self._created(), before, "nothing more")
        # a new request, minutes later, is a new one
        with move_to(fields.Datetime.to_datetime(FROZEN_NOW) + timedelta(minutes=6)):
            self.assertEqual(self.public_contract._triage_report_unsafe("It beeps again")["status"], "created")
        self.assertEqual(len(self._repairs()), 2)

    def test_a_description_sent_after_an_empty_report_reaches_the_office(self):
        first = self.public_contract._triage_report_unsafe("")
        before = self._created()
        second = self.public_contract._triage_report_unsafe("It makes a grinding noise")
        self.assertEqual(second["status"], "duplicate")
        self.assertEqual(self._created(), before, "nothing more is created")
        self.assertIn("It makes a grinding noise", str(first["activity"].note))
        self.assertIn("It makes a grinding noise", str(first["repair"].internal_notes))

    def test_daily_limit(self):
        start = fields.Datetime.to_datetime(FROZEN_NOW)
        for minutes, kind in ((0, "callback"), (10, "unsafe"), (20, "callback")):
            with move_to(start + timedelta(minutes=minutes)):
                if kind == "callback":
                    result = self.public_contract._triage_request_callback("morning")
                else:
                    result = self.public_contract._triage_report_unsafe("")
                self.assertEqual(result["status"], "created")
        before = self._created()
        with move_to(start + timedelta(minutes=30)):
            self.assertEqual(self.public_contract._triage_report_unsafe("Still broken")["status"], "limit")
            self.assertEqual(self.public_contract._triage_request_callback("evening")["status"], "limit")
        self.assertEqual(self._created(), before)
        # the next day (in Toronto), the link may ask again
        with move_to(start + timedelta(days=1)):
            self.assertEqual(self.public_contract._triage_request_callback("evening")["status"], "created")

    def test_malformed_input_creates_nothing(self):
        before = self._created()
        for time_of_day, note in (
            (None, ""),
            ("", ""),
            ("noon", ""),
            ("MORNING", ""),
            (["morning"], ""),
            ("morning", "x" * 501),
            ("morning", ["a note"]),
        ):
            self.assertEqual(self.public_contract._triage_request_callback(time_of_day, note)["status"], "invalid")
        for description in ("x" * 2001, {"a": 1}, 42):
            self.assertEqual(self.public_contract._triage_report_unsafe(description)["status"], "invalid")
        self.assertEqual(self._created(), before)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestTriagePages(BookingHttpMixin, TriageAssertions, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.other_client = cls._create_booking_client("H3 Other Triage", "other.triage@h3.example.com")
        cls.other_contract = cls._create_booking_contract(cls.other_client, serial="SL-H3-TRIAGE-OTHER")
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "H3 Portal Triage",
                "login": "portal.triage@h3.example.com",
                "password": PORTAL_PASSWORD,
                "partner_id": cls.client.id,
                "group_ids": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )

    def _page(self, token=None):
        return self._doc(self._open(token or self.contract.booking_token))

    def _post(self, suffix, data, token=None):
        return self._open(token or self.contract.booking_token, suffix, data=data)

    def test_page_offers_both_with_labels_and_phone_first(self):
        doc = self._page()
        unsafe = doc.find_class("o_fc_triage_unsafe")[0]
        links = [a.get("href") for a in unsafe.iter("a")]
        self.assertEqual(links[0], "tel:" + OFFICE_PHONE.replace(" ", ""))
        body = unsafe.find_class("o_fc_triage_body")[0]
        children = [child for child in body.iter() if child.tag in ("a", "form")]
        self.assertEqual([child.tag for child in children][:2], ["a", "form"], "the phone before the form")
        self.assertIn("Please stop using it now", self._text(body, "o_fc_triage_stop"))
        for form_class in ("o_fc_triage_unsafe_form", "o_fc_triage_callback_form"):
            form = doc.find_class(form_class)[0]
            self.assertEqual(len(form.xpath(".//button[@type='submit']")), 1, "one action per form")
            for field in form.xpath(".//textarea | .//input[@type='radio']"):
                self.assertTrue(form.xpath(f".//label[@for='{field.get('id')}']"), f"label of {field.get('name')}")
        times = doc.xpath("//input[@name='time_of_day']/@value")
        self.assertEqual(times, ["morning", "afternoon", "evening"])

    def test_call_me(self):
        doc = self._page()
        response = self._post(
            "/call-me",
            {"csrf_token": self._csrf(doc, "o_fc_triage_callback_form"), "time_of_day": "evening", "note": "After 6"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you! We will call you.", self._page_text(response))
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertIn("in the evening", activity.summary)
        self.assertIn(CLIENT_PHONE, activity.summary)
        # the address of another answer says nothing that did not happen
        doc = self._doc(self._open(self.contract.booking_token, "?triage=unsafe"))
        self.assertFalse(doc.find_class("o_fc_triage_notice"))

    def test_unsafe_report_and_double_click(self):
        doc = self._page()
        data = {"csrf_token": self._csrf(doc, "o_fc_triage_unsafe_form"), "description": "Smells of burning"}
        first = self._post("/report-problem", data)
        second = self._post("/report-problem", data)
        for response in (first, second):
            self.assertEqual(response.status_code, 200)
            text = self._page_text(response)
            self.assertIn("Please do not use your equipment", text)
            self.assertIn("We have told our office", text)
        activity = self._activities()
        self.assertEqual(len(activity), 1, "a double click makes one request")
        self.assertTrue(activity.summary.startswith("URGENT"))
        self.assertEqual(len(self._repairs()), 1)
        self.assertIn("Smells of burning", str(self._repairs().internal_notes))

    def test_forged_posts_create_nothing(self):
        doc = self._page()
        good_csrf = self._csrf(doc, "o_fc_triage_callback_form")
        before = self._created()
        for suffix, data in (("/call-me", {"time_of_day": "morning"}), ("/report-problem", {"description": "x"})):
            for csrf in (None, "", "0123456789abcdef" * 3, good_csrf[:-4] + "abcd"):
                payload = dict(data, **({"csrf_token": csrf} if csrf is not None else {}))
                response = self._post(suffix, payload)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(self._doc(response).find_class("o_fc_booking_error"), f"{suffix} {csrf!r}: a message")
            # a wrong or malformed link, with a valid CSRF token
            for token in (self.contract.booking_token[:-2] + "zz", "short", "x" * 200):
                response = self._post(suffix, dict(data, csrf_token=good_csrf), token=token)
                self.assertEqual(response.status_code, 404)
                self.assertIn("no longer active", self._page_text(response))
        self.assertEqual(self._created(), before)
        self.assertEqual(self._created(self.other_contract)[:3], ([], [], []))

    def test_malformed_post_shows_a_message_and_creates_nothing(self):
        doc = self._page()
        csrf = self._csrf(doc, "o_fc_triage_callback_form")
        before = self._created()
        response = self._post("/call-me", {"csrf_token": csrf, "time_of_day": "midnight"})
        self.assertIn("please choose a time of day", self._page_text(response))
        response = self._post("/call-me", {"csrf_token": csrf})
        self.assertIn("please choose a time of day", self._page_text(response))
        response = self._post("/report-problem", {"csrf_token": csrf, "description": "x" * 2001})
        self.assertIn("under 2,000 characters", self._page_text(response))
        self.assertEqual(self._created(), before)
        # a GET of a form address only leads back to the page
        self.assertEqual(self._open(self.contract.booking_token, "/call-me").status_code, 200)
        self.assertEqual(self._created(), before)

    def test_daily_limit_over_http(self):
        csrf = self._csrf(self._page(), "o_fc_triage_callback_form")
        start = fields.Datetime.to_datetime(FROZEN_NOW)
        for minutes in (0, 10, 20):
            with move_to(start + timedelta(minutes=minutes)):
                self._post("/call-me", {"csrf_token": csrf, "time_of_day": "morning"})
        self.assertEqual(len(self._activities()), 3)
        with move_to(start + timedelta(minutes=30)):
            response = self._post("/report-problem", {"csrf_token": csrf, "description": "Broken"})
        self.assertIn("already sent us several requests today", self._page_text(response))
        self.assertEqual(len(self._activities()), 3)
        self.assertFalse(self._repairs())

    def test_portal_user_cannot_call_the_triage_methods(self):
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        before = self._created()
        for method, args in (
            ("_triage_request_callback", [self.contract.ids, "morning"]),
            ("_triage_report_unsafe", [self.contract.ids, "x"]),
            ("_triage_create", [self.contract.ids, "unsafe", {"description": "x"}]),
            ("_triage_create_repair", [self.contract.ids, "x"]),
        ):
            response = self.url_open(
                f"/web/dataset/call_kw/fusion.repair.maintenance.contract.{method}",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": "fusion.repair.maintenance.contract",
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                },
            )
            answer = response.json()
            self.assertIn("error", answer, method)
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", method)
        self.assertEqual(self._created(), before)
