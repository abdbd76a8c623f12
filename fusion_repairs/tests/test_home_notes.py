"""The client's notes for the technician (door code, pets, parking...): written on the booking
page, they reach the visit's task and the technician's screen, are kept for the next booking,
and never appear in an email, the .ics or the calendar event."""

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingHttpMixin, toronto

NOTES = "Building code 4321#, buzz twice.\nSmall dog named Biscuit. Lift is in the basement, 12 steps."
SECRET_BITS = ("4321", "Biscuit", "12 steps")


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestHomeNotes(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.other_technician = cls._create_booking_technician("Other Technician H3 Notes")

    def _last_mail_id(self):
        return self.env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0

    def _assert_in_no_mail(self, since_id):
        mails = self.env["mail.mail"].sudo().search([("id", ">", since_id)])
        self.assertTrue(mails, "the booking sent no email at all: nothing was checked")
        for mail in mails:
            texts = [mail.body_html or "", mail.subject or ""] + [
                (attachment.raw or b"").decode(errors="ignore") for attachment in mail.attachment_ids
            ]
            for bit in SECRET_BITS:
                for text in texts:
                    self.assertNotIn(bit, text, f"the client's notes are in the email {mail.subject!r}")

    def _book_with_notes(self, notes):
        doc = self._doc(self._open(self.contract.booking_token))
        slot = self._enabled_slot_starts(doc)[0]
        return slot, self._confirm(
            self.contract.booking_token, slot, self._csrf(doc), self._seen_booking(doc), home_notes=notes
        )

    def _confirm(self, token, slot_start, csrf_token, booked_slot_start=None, home_notes=None):
        data = {"slot_start": slot_start, "csrf_token": csrf_token}
        if booked_slot_start is not None:
            data["booked_slot_start"] = booked_slot_start
        if home_notes is not None:
            data["home_notes"] = home_notes
        return self._open(token, "/confirm", data=data)

    def test_page_offers_the_notes_box_with_the_booking(self):
        doc = self._doc(self._open(self.contract.booking_token))
        boxes = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//textarea[@name='home_notes']")
        self.assertEqual(len(boxes), 1)
        label = doc.xpath(f"//label[@for='{boxes[0].get('id')}']")
        self.assertIn("Anything our technician should know?", label[0].text_content())
        prompts = self._text(doc, "o_fc_home_notes_prompts")
        for prompt in ("door or building code", "Pets", "park", "stairs"):
            self.assertIn(prompt, prompts)
        self.assertIn("never put them in an email", self._text(doc, "o_fc_home_notes_field"))

    def test_notes_posted_with_the_booking_reach_the_task_and_the_technician_but_no_email(self):
        since = self._last_mail_id()
        _slot, response = self._book_with_notes(NOTES + "\r\n")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your visit is booked", self._page_text(response))
        task = self.contract.task_id
        self.assertTrue(task)
        self.assertEqual(task.home_notes, NOTES)
        self.assertEqual(self.contract.home_notes, NOTES)

        # the technician reads them on the visit's form, first thing
        form = Form(task.with_user(self.technician))
        self.assertEqual(form.home_notes, NOTES)
        arch = task.with_user(self.technician).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="home_notes"', arch)
        kanban = self.env.ref("fusion_tasks.fusion_technician_task_view_kanban_my")
        kanban_arch = task.with_user(self.technician).get_views([(kanban.id, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('name="home_notes"', kanban_arch)

        # ... and nobody else: not another technician, not in any email, .ics or calendar event
        with self.assertRaises(AccessError):
            task.with_user(self.other_technician).read(["home_notes"])
        self._assert_in_no_mail(since)
        event = task.calendar_event_id
        self.assertTrue(event)
        for bit in SECRET_BITS:
            self.assertNotIn(bit, str(event.description or ""))
            self.assertNotIn(bit, event.name or "")
            self.assertNotIn(bit, (self.contract._get_booking_ics(task) or b"").decode())
            self.assertNotIn(bit, str(task.repair_order_id.internal_notes or ""))

    def test_notes_can_be_changed_on_a_booked_visit_and_the_next_booking_starts_with_them(self):
        self._book_with_notes("Gate code 1111")
        task = self.contract.task_id
        doc = self._doc(self._open(self.contract.booking_token))
        # booked: the notes have their own form, prefilled, and the move form has none
        self.assertFalse(doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//textarea"))
        box = doc.xpath("//form[contains(@class, 'o_fc_home_notes_form')]//textarea[@name='home_notes']")[0]
        self.assertEqual(box.text_content(), "Gate code 1111")
        csrf = self._csrf(doc, "o_fc_home_notes_form")
        since = self._last_mail_id()
        response = self._open(self.contract.booking_token, "/notes", data={"csrf_token": csrf, "home_notes": NOTES})
        self.assertEqual(response.status_code, 200)
        self.assertIn("your notes are saved", self._page_text(response))
        self.assertEqual(task.home_notes, NOTES)
        self.assertEqual(self.contract.home_notes, NOTES)
        self.assertEqual(self._last_mail_id(), since, "saving notes emails nobody")

        # a forged post (no CSRF token) changes nothing
        response = self._open(self.contract.booking_token, "/notes", data={"home_notes": "changed"})
        self.assertIn("nothing has been changed", self._page_text(response))
        self.assertEqual(task.home_notes, NOTES)

        # the visit is cancelled; the next one (booked by the office) starts with the same notes
        self.contract.cancel_booking(notify=False)
        doc = self._doc(self._open(self.contract.booking_token))
        box = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]//textarea[@name='home_notes']")[0]
        self.assertEqual(box.text_content(), NOTES)
        new_task = self._book(self.contract, toronto(2027, 1, 13, 10), notify=False)
        self.assertNotEqual(new_task, task)
        self.assertEqual(new_task.home_notes, NOTES)

    def test_notes_too_long_are_refused_and_nothing_is_booked(self):
        before = self._booking_snapshot()
        _slot, response = self._book_with_notes("x" * 1001)
        self.assertIn("too long", self._page_text(response))
        self.assertEqual(self._booking_snapshot(), before)
        self.assertFalse(self.contract.home_notes)

    def test_office_books_with_the_notes_in_the_wizard(self):
        self.contract.home_notes = "Side door"
        office = self.env["res.users"].create(
            {
                "name": "H3 Office Notes",
                "login": "office.notes@h3.example.com",
                "group_ids": [(4, self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        action = self.contract.with_user(office).action_open_booking_wizard()
        wizard = self.env[action["res_model"]].with_user(office).browse(action["res_id"])
        self.assertEqual(wizard.home_notes, "Side door")
        line = wizard.line_ids.filtered(lambda line: line.slot_start == toronto(2027, 1, 12, 10))
        with Form(wizard) as form:
            form.home_notes = "Side door, code 9876"
            form.booking_date = line.slot_date
            form.slot_line_id = line
        wizard.action_book()
        self.assertEqual(self.contract.task_id.home_notes, "Side door, code 9876")
        self.assertEqual(self.contract.home_notes, "Side door, code 9876")

    def test_technicians_cannot_change_the_notes(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10), notify=False)
        task.home_notes = "Code 2222"
        with self.assertRaises(AccessError):
            task.with_user(self.technician).write({"home_notes": "Something else"})
        self.assertEqual(task.home_notes, "Code 2222")
        self.assertEqual(self.contract.home_notes, "Code 2222")
