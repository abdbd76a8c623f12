"""Clients who speak French (partner language fr_CA): the booking page, its English / Français
switch, and the emails, written the Quebec way ("le jeudi 14 janvier 2027", "13 h", "149,00 $").
An English client still gets English."""

# French text is written with the typographic apostrophe, as the translations are.
# ruff: noqa: RUF001

import lxml.html

from odoo.addons.fusion_repairs.lib import booking_slots as bs
from odoo.tests import BaseCase, Form, HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, BookingHttpMixin, toronto
from .test_on_my_way import VISIT_MORNING
from .test_visit_certificate import ONE_PIXEL_PNG, VISIT_DAY, CertificateFixturesMixin

TZ = "America/Toronto"


def words(text):
    """Text as a reader sees it: one space between words (no-break spaces included)."""
    return " ".join(str(text).replace("\N{NO-BREAK SPACE}", " ").replace("\N{NARROW NO-BREAK SPACE}", " ").split())


class FrenchMixin:
    @classmethod
    def _setup_french(cls):
        """fr_CA installed with our modules' translations, a French and an English client."""
        cls.env["res.lang"]._activate_lang("fr_CA")
        cls.env["ir.module.module"]._load_module_terms(["fusion_tasks", "fusion_repairs"], ["fr_CA"], overwrite=True)
        cls.english_client = cls.client
        cls.english_client.lang = "en_US"
        cls.english_contract = cls.contract
        cls.french_client = cls._create_booking_client("H3 Gisèle Tremblay-Roy", "gisele.h3@example.com")
        cls.french_client.lang = "fr_CA"
        cls.french_contract = cls._create_booking_contract(cls.french_client, serial="SL-H3-0002")


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchBookingPage(FrenchMixin, BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls._setup_french()

    def _switch_links(self, doc):
        """The switch's links by language family: {"en": <a>, "fr": <a>}."""
        return {
            link.get("hreflang").split("-")[0]: link
            for link in doc.xpath("//nav[contains(@class, 'o_fc_language_switch')]//a[@hreflang]")
        }

    def test_french_client_gets_a_french_page(self):
        response = self._open(self.french_contract.booking_token)
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        self.assertEqual(doc.get("lang"), "fr-CA")
        text = words(doc.text_content())
        self.assertIn("Réservez votre visite d’entretien", text)
        self.assertIn("Choisissez un moment", text)
        self.assertIn("Réserver ce moment", text)
        self.assertNotIn("Book this time", text)
        self.assertEqual(words(self._text(doc, "o_fc_fee")), "149,00 $ + taxes applicables")
        self.assertEqual(self._text(doc, "o_fc_due_date"), "lundi 25 janvier 2027")
        self.assertEqual(self._text(doc, "o_fc_tz_label"), "heure de l’Est (Toronto)")
        self.assertIn("environ 1 heure 30 minutes", words(self._text(doc, "o_fc_timezone")))
        days = [words(legend.text_content()) for legend in doc.find_class("o_fc_day_label")]
        self.assertEqual(days[0], "mardi 12 janvier 2027")
        self.assertIn("jeudi 14 janvier 2027", days)
        # the 10-11 a.m. window of Tuesday, the Quebec way
        first_label = doc.xpath("//label[@data-slot-start='2027-01-12 15:00:00']")[0]
        self.assertEqual(words(first_label.text_content()), "10 h \u2013 11 h")
        self.assertIn(self.company.phone, self._text(doc, "o_fc_booking_office"))
        self.assertIn("Appelez le", self._text(doc, "o_fc_booking_office"))

    def test_the_switch_works_both_ways_and_changes_nothing(self):
        token = self.french_contract.booking_token
        links = self._switch_links(self._doc(self._open(token)))
        self.assertEqual(set(links), {"en", "fr"})
        self.assertEqual(links["fr"].get("hreflang"), "fr-CA")
        self.assertEqual(links["fr"].get("aria-current"), "page", "the page's own language is marked")
        self.assertIsNone(links["en"].get("aria-current"))
        self.assertEqual(words(links["en"].text_content()), "English")
        self.assertEqual(links["en"].get("lang"), links["en"].get("hreflang"), "each name in its own language")
        self.assertEqual(words(links["fr"].text_content()), "Français")
        self.assertEqual(links["fr"].get("lang"), "fr-CA")
        # to English, on the French client's page
        english = self._doc(self.url_open(links["en"].get("href")))
        self.assertTrue(english.get("lang").startswith("en-"))
        text = words(english.text_content())
        self.assertIn("Book your maintenance visit", text)
        self.assertEqual(self._text(english, "o_fc_due_date"), "Monday, January 25, 2027")
        self.assertRegex(words(self._text(english, "o_fc_fee")), r"^\$149\.00 \+ applicable tax$")
        self.assertEqual(words(english.find_class("o_fc_day_label")[0].text_content()), "Tuesday, January 12, 2027")
        # the forms of the English page keep English after a post
        self.assertIn("lang=en_", english.xpath("//form[contains(@class, 'o_fc_booking_form')]/@action")[0])
        # and back to French
        french_link = self._switch_links(english)["fr"]
        self.assertEqual(french_link.get("hreflang"), "fr-CA")
        french = self._doc(self.url_open(french_link.get("href")))
        self.assertIn("Réservez votre visite d’entretien", words(french.text_content()))
        # an English client may switch to French too
        english_client_page = self._doc(self._open(self.english_contract.booking_token))
        self.assertIn("Book your maintenance visit", words(english_client_page.text_content()))
        to_french = self._switch_links(english_client_page)["fr"].get("href")
        self.assertIn("lang=fr_CA", to_french)
        french = self._doc(self.url_open(to_french))
        self.assertEqual(self._text(french, "o_fc_due_date"), "lundi 25 janvier 2027")
        # a GET stores nothing: each client keeps their own language
        self.assertEqual(self.french_client.lang, "fr_CA")
        self.assertEqual(self.english_client.lang, "en_US")

    def test_booking_from_the_french_page_stays_in_french(self):
        _slot, response = self._book_first_slot(self.french_contract, day="jeudi")
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        self.assertIn("Merci! Votre visite est réservée.", words(doc.text_content()))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "jeudi 14 janvier 2027")
        self.assertIn("Le technicien arrive entre 9 h et 10 h", words(self._text(doc, "o_fc_visit_window")))
        self.assertIn("Samuel", self._text(doc, "o_fc_visit_technician"))
        # a refusal is said in French too
        page = self._doc(self._open(self.french_contract.booking_token, "?error=taken"))
        self.assertIn("Ce moment vient d’être réservé.", words(self._text(page, "o_fc_booking_error")))

    def test_an_english_page_keeps_english_through_a_booking(self):
        """The French client reads the page in English and books: the page stays English; the
        confirmation email is in the client's own language (French)."""
        token = self.french_contract.booking_token
        doc = self._doc(self._open(token, "?lang=en_US"))
        action = doc.xpath("//form[contains(@class, 'o_fc_booking_form')]/@action")[0]
        data = {
            "slot_start": self._enabled_slot_starts(doc)[0],
            "csrf_token": self._csrf(doc),
            "booked_slot_start": self._seen_booking(doc),
        }
        response = self.url_open(action, data=data)
        self.assertIn("lang=en_US", response.url)
        self.assertIn("Thank you! Your visit is booked.", self._page_text(response))
        confirmation = self.french_contract.message_ids.filtered(lambda m: m.subject and "réservée" in m.subject)
        self.assertEqual(len(confirmation), 1)
        self.assertIn("mardi 12 janvier 2027", confirmation.subject)

    def test_english_client_still_gets_english(self):
        doc = self._doc(self._open(self.english_contract.booking_token))
        self.assertEqual(doc.get("lang"), "en-US")
        text = words(doc.text_content())
        self.assertIn("Book your maintenance visit", text)
        self.assertNotIn("Réservez", text)
        self.assertEqual(self._text(doc, "o_fc_due_date"), "Monday, January 25, 2027")
        first_label = doc.xpath("//label[@data-slot-start='2027-01-12 15:00:00']")[0]
        self.assertEqual(words(first_label.text_content()), "10:00 \u2013 11:00 a.m.")

    def test_unknown_link_page_follows_the_switch(self):
        response = self._open("no-such-token-but-well-formed", "?lang=fr_CA")
        self.assertEqual(response.status_code, 404)
        self.assertIn("Ce lien de réservation n’est plus actif", self._page_text(response))


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchEmails(FrenchMixin, BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls._setup_french()

    def _client_messages(self, contract):
        return contract.message_ids.filtered(lambda m: m.message_type == "comment" and m.subject)

    def test_french_reminder(self):
        self.french_contract._send_due_reminder(7)
        message = self._client_messages(self.french_contract)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "Il est temps de réserver l’entretien de votre H3 Freecurve Stair Lift")
        body = words(lxml.html.fromstring(str(message.body)).text_content())
        self.assertIn("Bonjour H3 Gisèle Tremblay-Roy,", body)
        self.assertIn("est dû pour son entretien préventif", body)
        self.assertIn("Échéance de l’entretien lundi 25 janvier 2027", body)
        self.assertIn("149,00 $ + taxes applicables", body)
        self.assertIn("Choisir un moment", body)
        self.assertIn(self.french_contract.booking_url, str(message.body))
        self.assertNotIn("Hello", body)

    def test_french_confirmation_and_calendar_file(self):
        self._book(self.french_contract, toronto(2027, 1, 14, 13, 0))
        message = self._client_messages(self.french_contract)
        self.assertEqual(len(message), 1)
        self.assertEqual(words(message.subject), "Votre visite d’entretien est réservée : jeudi 14 janvier 2027")
        body = words(lxml.html.fromstring(str(message.body)).text_content())
        self.assertIn("Bonjour H3 Gisèle Tremblay-Roy,", body)
        self.assertIn("est réservée.", body)
        self.assertIn("Date jeudi 14 janvier 2027", body)
        self.assertIn("Plage d’arrivée 13 h \u2013 14 h heure de l’Est (Toronto)", body)
        self.assertIn("Frais de visite 149,00 $ + taxes applicables", body)
        self.assertIn("Comment vous préparer", body)
        self.assertIn("jusqu’au mercredi 13 janvier 2027, 13 h.", body)
        self.assertNotIn("Hello", body)
        ics = message.attachment_ids.filtered(lambda a: a.name.endswith(".ics")).raw.replace(b"\r\n ", b"").decode()
        self.assertIn("Visite d’entretien de votre H3 Freecurve Stair Lift", ics)
        self.assertIn("jeudi 14 janvier 2027", ics)
        self.assertIn("de 13 h jusque vers 15 h 30", ics)

    def test_french_moved_and_cancelled_emails(self):
        self._book(self.french_contract, toronto(2027, 1, 14, 13, 0))
        self._book(self.french_contract, toronto(2027, 1, 15, 10, 0))
        moved = self._client_messages(self.french_contract).filtered(lambda m: "déplacée" in m.subject)
        self.assertEqual(words(moved.subject), "Votre visite d’entretien a été déplacée au vendredi 15 janvier 2027")
        self.assertIn("a été déplacée à un nouveau moment", words(str(moved.body)))
        self.french_contract.action_cancel_booking()
        cancelled = self._client_messages(self.french_contract).filtered(lambda m: "annulée" in m.subject)
        self.assertEqual(words(cancelled.subject), "Votre visite d’entretien a été annulée : vendredi 15 janvier 2027")
        body = words(lxml.html.fromstring(str(cancelled.body)).text_content())
        self.assertIn("(arrivée 10 h \u2013 11 h) a été annulée.", body)

    def test_english_client_still_gets_english_emails(self):
        self._book(self.english_contract, toronto(2027, 1, 14, 13, 0))
        message = self._client_messages(self.english_contract)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "Your maintenance visit is booked: Thursday, January 14, 2027")
        body = words(lxml.html.fromstring(str(message.body)).text_content())
        self.assertIn("Hello H3 Margaret Wilson,", body)
        self.assertIn("1:00 \u2013 2:00 p.m.", body)
        self.assertIn("$149.00 + applicable tax", body)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchCertificate(CertificateFixturesMixin, HttpCase):
    """The inspection certificate of a French client: its PDF, its email and its check page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_certificate_fixtures()
        cls.env["res.lang"]._activate_lang("fr_CA")
        cls.env["ir.module.module"]._load_module_terms(["fusion_tasks", "fusion_repairs"], ["fr_CA"], overwrite=True)
        cls.client.lang = "fr_CA"

    def test_french_certificate_pdf_email_and_page(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        visit = task.maintenance_visit_id
        with freeze_time(VISIT_DAY):
            with Form(task.with_user(self.technician)) as form:
                for index in range(2):
                    with form.visit_line_ids.edit(index) as line:
                        line.result = "pass"
            action = task.with_user(self.technician).action_finish_visit()
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.technician)
                .with_context(**action["context"], force_report_rendering=True)
            )
            wizard.signature = ONE_PIXEL_PNG
            wizard.save().action_confirm()
        self.assertTrue(visit.certificate_number)
        self.assertEqual(visit.certificate_attachment_id.mimetype, "application/pdf")
        # what the PDF is printed from (its French text is drawn in a font pdftotext cannot read)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "fusion_repairs.action_report_inspection_certificate", visit.ids
        )[0]
        text = words(lxml.html.fromstring(html).text_content())
        for expected in (
            "Certificat d’inspection de sécurité",
            "Réussie",
            "Conforme",
            "Inspection 12 janvier 2027",
            "Valide jusqu’au 12 juillet 2027",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Safety Inspection Certificate", text)

        email = visit.message_ids.filtered(lambda m: m.message_type == "comment" and m.attachment_ids)
        self.assertEqual(len(email), 1)
        self.assertEqual(
            words(email.subject), f"Votre certificat d’inspection {visit.certificate_number} : H3 Freecurve Stair Lift"
        )
        body = words(lxml.html.fromstring(str(email.body)).text_content())
        self.assertIn("a réussi son inspection de sécurité le 12 janvier 2027", body)
        self.assertIn("Il est valide jusqu’au 12 juillet 2027.", body)

        # the check page (its QR code): in the client's language, English one click away
        page = self.url_open(f"/repairs/certificate/{visit.certificate_token}")
        doc = lxml.html.fromstring(page.content)
        text = words(doc.text_content())
        self.assertIn("Ce certificat est authentique et valide jusqu’au 12 juillet 2027", text)
        self.assertIn("Réussie", text)
        english = doc.xpath("//nav[contains(@class, 'o_fc_language_switch')]//a[starts-with(@hreflang, 'en')]/@href")
        text = words(lxml.html.fromstring(self.url_open(english[0]).content).text_content())
        self.assertIn("This certificate is genuine and valid until July 12, 2027", text)


@tagged("post_install", "-at_install")
class TestFrenchLabels(BaseCase):
    """The words of dates, times, lengths and amounts, from Babel, in both languages."""

    def test_french_labels_the_quebec_way(self):
        start, end = toronto(2026, 12, 3, 13, 0), toronto(2026, 12, 3, 14, 0)
        self.assertEqual(bs.format_day(start, TZ, "fr_CA"), "jeudi 3 décembre 2026")
        self.assertEqual(bs.format_time(start, TZ, "fr_CA"), "13 h")
        self.assertEqual(bs.format_time(toronto(2026, 12, 3, 9, 5), TZ, "fr_CA"), "9 h 05")
        self.assertEqual(bs.format_window(start, end, TZ, "fr_CA"), "13 h \u2013 14 h")
        self.assertEqual(words(bs.format_money(149, "CAD", "fr_CA")), "149,00 $")
        self.assertEqual(words(bs.format_money(1234.5, "USD", "fr_CA", symbol="$")), "1 234,50 $")
        self.assertEqual(bs.format_duration(1.5, "fr_CA"), "1 heure 30 minutes")
        self.assertEqual(bs.format_duration(2, "fr_CA"), "2 heures")
        self.assertEqual(
            bs.format_datetime_words(start, TZ, "fr_CA"), "jeudi 3 décembre 2026 à 13 h, heure de l’Est (Toronto)"
        )

    def test_english_labels_are_unchanged(self):
        start = toronto(2026, 12, 3, 13, 0)
        self.assertEqual(bs.format_time(start, TZ, "en_US"), "1:00 p.m.")
        self.assertEqual(bs.format_money(149, "CAD", "en_US"), "$149.00")
        self.assertEqual(bs.format_money(149, "USD", "en_US", symbol="$"), "$149.00")
        self.assertEqual(bs.format_duration(1.5, "en_US"), "1 hour 30 minutes")
        self.assertEqual(
            bs.format_datetime_words(start, TZ, "en_US"), "Thursday, December 3, 2026, 1:00 p.m. Eastern Time (Toronto)"
        )


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchPageScript(FrenchMixin, BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls._setup_french()

    def test_the_page_script_gets_french_words(self):
        html = self._open(self.french_contract.booking_token).text
        self.assertIn('"bundle_params": {"lang": "fr_CA"', html.replace("'", '"'))
        english = self._open(self.french_contract.booking_token, "?lang=en_US").text
        self.assertIn('"bundle_params": {"lang": "en_US"', english.replace("'", '"'))
        translations = self.url_open("/website/translations?lang=fr_CA").json()
        messages = {m["id"]: m["string"] for m in translations["modules"]["fusion_repairs"]["messages"]}
        self.assertEqual(messages["Please choose a time above first."], "Veuillez d’abord choisir un moment ci-dessus.")


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchTriageFamilyHomeNotes(FrenchMixin, BookingHttpMixin, HttpCase):
    """What was added to the booking page since: "Please call me instead", "My equipment is not
    working or feels unsafe", who else is kept informed, the notes for the technician."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls._setup_french()
        cls.daughter = cls.env["res.partner"].create(
            {"name": "Julie Roy", "email": "julie.roy@example.com", "x_fc_relationship": "fille"}
        )
        cls.french_contract.informed_partner_ids = cls.daughter

    def test_french_page_offers_triage_informed_contacts_and_home_notes(self):
        doc = self._doc(self._open(self.french_contract.booking_token))
        triage = words(self._text(doc, "o_fc_triage"))
        for expected in (
            "Autre chose?",
            "Mon appareil ne fonctionne pas ou me semble dangereux",
            "Veuillez cesser de l’utiliser dès maintenant et nous appeler",
            "Que se passe-t-il? (facultatif)",
            "Envoyer mon signalement",
            "Appelez-moi plutôt",
            "Quand devrions-nous vous appeler?",
            "Le matin (de 9 h à midi)",
            "L’après-midi (de midi à 17 h)",
            "Le soir (de 17 h à 20 h)",
            "Appelez-moi",
        ):
            self.assertIn(expected, triage)
        self.assertNotIn("Please call me", triage)
        placeholder = doc.xpath("//textarea[@name='description']/@placeholder")[0]
        self.assertEqual(words(placeholder), "Par exemple : il fait un bruit de grincement et s’arrête à mi-chemin")
        self.assertEqual(
            words(self._text(doc, "o_fc_informed_contacts")), "Nous tenons aussi Julie Roy (fille) au courant."
        )
        notes = words(self._text(doc, "o_fc_home_notes_field"))
        self.assertIn("Quelque chose que notre technicien devrait savoir? (facultatif)", notes)
        self.assertIn("Par exemple :", notes)
        self.assertIn("Où stationner", notes)
        self.assertIn("Seuls notre technicien et notre bureau voient ces notes.", notes)
        self.assertNotIn("technician", notes)

    def test_french_notes_of_a_booked_visit(self):
        self._book(self.french_contract, toronto(2027, 1, 14, 13, 0), notify=False)
        doc = self._doc(self._open(self.french_contract.booking_token))
        section = words(self._text(doc, "o_fc_home_notes_section"))
        self.assertIn("Notes pour votre technicien", section)
        self.assertIn("Enregistrer mes notes", section)
        csrf = self._csrf(doc, "o_fc_home_notes_form")
        data = {"csrf_token": csrf, "home_notes": "Code 1234"}
        response = self._open(self.french_contract.booking_token, "/notes", data=data)
        self.assertIn("Merci, vos notes sont enregistrées.", words(self._page_text(response)))

    def test_notes_saved_from_a_page_switched_to_french_confirm_in_french(self):
        self._book(self.english_contract, toronto(2027, 1, 14, 13, 0), notify=False)
        doc = self._doc(self._open(self.english_contract.booking_token, "?lang=fr_CA"))
        action = doc.xpath("//form[contains(@class, 'o_fc_home_notes_form')]/@action")[0]
        self.assertIn("lang=fr_CA", action, "the form keeps the language chosen on the page")
        data = {"csrf_token": self._csrf(doc, "o_fc_home_notes_form"), "home_notes": "Code 1234"}
        response = self.url_open(action, data=data)
        self.assertIn("Merci, vos notes sont enregistrées.", words(self._page_text(response)))

    def test_call_me_from_the_french_page_confirms_in_french(self):
        doc = self._doc(self._open(self.french_contract.booking_token))
        action = doc.xpath("//form[contains(@class, 'o_fc_triage_callback_form')]/@action")[0]
        csrf = self._csrf(doc, "o_fc_triage_callback_form")
        response = self.url_open(action, data={"csrf_token": csrf, "time_of_day": "morning"})
        self.assertEqual(response.status_code, 200)
        text = words(self._page_text(response))
        self.assertIn("Merci! Nous vous appellerons.", text)
        self.assertIn("Une personne de notre bureau vous téléphonera", text)
        self.assertNotIn("Thank you", text)

    def test_unsafe_report_from_the_french_page_confirms_in_french(self):
        doc = self._doc(self._open(self.french_contract.booking_token))
        action = doc.xpath("//form[contains(@class, 'o_fc_triage_unsafe_form')]/@action")[0]
        csrf = self._csrf(doc, "o_fc_triage_unsafe_form")
        response = self.url_open(action, data={"csrf_token": csrf, "description": "Il grince"})
        text = words(self._page_text(response))
        self.assertIn("Merci. Nous avons prévenu notre bureau.", text)
        self.assertIn("Veuillez ne pas utiliser votre appareil", text)

    def test_a_page_switched_to_english_answers_in_english(self):
        """The French client reads the page in English and asks to be called: the answer stays
        English (the switch travels with the form)."""
        doc = self._doc(self._open(self.french_contract.booking_token, "?lang=en_US"))
        self.assertIn("We also keep Julie Roy (fille) informed.", words(self._text(doc, "o_fc_informed_contacts")))
        action = doc.xpath("//form[contains(@class, 'o_fc_triage_callback_form')]/@action")[0]
        self.assertIn("lang=en_US", action)
        csrf = self._csrf(doc, "o_fc_triage_callback_form")
        response = self.url_open(action, data={"csrf_token": csrf, "time_of_day": "evening"})
        self.assertIn("lang=en_US", response.url)
        self.assertIn("Thank you! We will call you.", self._page_text(response))


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchPastVisits(CertificateFixturesMixin, HttpCase):
    """A French client's past visits and certificates on the booking link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_certificate_fixtures()
        cls.env["res.lang"]._activate_lang("fr_CA")
        cls.env["ir.module.module"]._load_module_terms(["fusion_tasks", "fusion_repairs"], ["fr_CA"], overwrite=True)
        cls.client.lang = "fr_CA"

    def test_past_visits_in_french(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician, notify=False)
        with freeze_time(VISIT_DAY):
            with Form(task.with_user(self.technician)) as form:
                for index in range(len(task.visit_line_ids)):
                    with form.visit_line_ids.edit(index) as line:
                        line.result = "pass"
            action = task.with_user(self.technician).action_finish_visit()
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.technician)
                .with_context(**action["context"], force_report_rendering=True)
            )
            wizard.signature = ONE_PIXEL_PNG
            wizard.save().action_confirm()
        visit = task.maintenance_visit_id
        self.assertTrue(visit.certificate_number)
        with freeze_time("2027-01-13 15:00:00"):
            doc = self._doc(self._open(self.contract.booking_token))
            history = words(self._text(doc, "o_fc_booking_history"))
            self.assertIn("Visites précédentes", history)
            self.assertEqual(self._text(doc, "o_fc_past_visit_date"), "mardi 12 janvier 2027")
            self.assertEqual(self._text(doc, "o_fc_past_visit_result"), "Réussie")
            self.assertEqual(words(self._text(doc, "o_fc_past_visit_technician")), "technicien : Samuel")
            self.assertIn(f"Télécharger le certificat {visit.certificate_number} (PDF)", history)
            self.assertNotIn("Past visits", history)
            # switched to English: the dates and words follow the page, not the client's language
            english = self._doc(self._open(self.contract.booking_token, "?lang=en_US"))
            self.assertEqual(self._text(english, "o_fc_past_visit_date"), "Tuesday, January 12, 2027")
            self.assertEqual(self._text(english, "o_fc_past_visit_result"), "Passed")
            # a certificate address that does not match the link: in French too
            missing = self.url_open(f"/repairs/maintenance/book/{self.contract.booking_token}/certificate/0.pdf")
            self.assertEqual(missing.status_code, 404)
            self.assertIn("Nous n’avons pas trouvé ce certificat", words(self._page_text(missing)))


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFrenchOnMyWay(FrenchMixin, BookingHttpMixin, HttpCase):
    """The technician's "On my way" email to a French client: in French, the time the Quebec way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls._setup_french()
        cls.technician.lang = "en_US"
        result = cls.french_contract.book_slot(toronto(2027, 1, 12, 10), technician=cls.technician, notify=False)
        cls.task = cls.env["fusion.technician.task"].browse(result["task_id"])

    def test_on_my_way_email_in_french(self):
        with freeze_time(VISIT_MORNING):  # the visit's day, 9:02 in Toronto, arriving in 30 minutes
            action = self.task.with_user(self.technician).action_on_my_way()
            wizard = self.env[action["res_model"]].with_user(self.technician).with_context(**action["context"])
            result = wizard.create({"eta_minutes": "30"}).action_confirm()
        # the technician reads their own language
        self.assertIn("9:30 a.m.", result["params"]["message"])
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "fusion.technician.task"), ("res_id", "=", self.task.id)])
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.french_client)
        self.assertEqual(words(mail.subject), "Samuel est en route, arrivée vers 9 h 30")
        body = words(lxml.html.fromstring(str(mail.body_html)).text_content())
        self.assertIn("Bonjour,", body)
        self.assertIn("Samuel, votre technicien, est en route pour la visite d’entretien de votre", body)
        self.assertIn("prévoit arriver vers 9 h 30.", body)
        self.assertIn("Appelez-nous au", body)
        self.assertNotIn("around", body)
        self.assertNotIn("a.m.", body + mail.subject)
