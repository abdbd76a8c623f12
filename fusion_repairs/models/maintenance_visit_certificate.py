import base64
import secrets

import babel.dates
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.fusion_tasks.lib.time_labels import babel_locale
from odoo.exceptions import UserError
from odoo.tools import html2plaintext, is_html_empty
from odoo.tools.image import image_data_uri

from ..lib import booking_slots
from .maintenance_contract import OFFICE_GROUPS
from .safe_steps import post_client_email, try_step

CERTIFICATE_ROUTE = "/repairs/certificate"
CERTIFICATE_REPORT = "fusion_repairs.action_report_inspection_certificate"
CERTIFICATE_TEMPLATE = "fusion_repairs.email_template_maintenance_certificate"
CERTIFIED_RESULTS = ("passed", "passed_remarks")


def _new_certificate_token():
    # 24 random bytes = 192 bits, URL safe (32 characters)
    return secrets.token_urlsafe(24)


class FusionRepairMaintenanceVisit(models.Model):
    """The inspection certificate of a passed visit of a safety-critical unit: a numbered PDF
    attached to the visit and emailed to the client, with a QR code to a public page where
    anyone holding the certificate can check it (no client data there)."""

    _inherit = "fusion.repair.maintenance.visit"

    certificate_token = fields.Char(string="Verification Code", readonly=True, copy=False, groups=OFFICE_GROUPS)
    certificate_attachment_id = fields.Many2one(
        "ir.attachment", string="Certificate PDF", readonly=True, copy=False, ondelete="set null"
    )
    certificate_valid_until = fields.Date(string="Certificate Valid Until", readonly=True, copy=False)
    certificate_url = fields.Char(string="Verification Page", compute="_compute_certificate_url", groups=OFFICE_GROUPS)

    _certificate_token_unique = models.UniqueIndex(
        "(certificate_token) WHERE certificate_token IS NOT NULL",
        "A certificate verification code must be unique.",
    )

    @api.depends("certificate_token")
    def _compute_certificate_url(self):
        for visit in self:
            visit.certificate_url = visit._get_certificate_url() if visit.certificate_token else False

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_print_certificate(self):
        """The issued certificate (the stored PDF; rendered again only if it is missing)."""
        self.ensure_one()
        self.check_access("read")
        if not self.certificate_number:
            raise UserError(self.env._("This visit has no inspection certificate."))
        if not self.certificate_attachment_id and self.has_access("write"):
            # its PDF could not be made when it was issued: make it now, once, for the record
            attachment, _error = self.sudo()._render_certificate_attachment()
            if attachment:
                self.sudo().certificate_attachment_id = attachment
        return self.env.ref(CERTIFICATE_REPORT).report_action(self)

    def action_print_inspection_report(self):
        """The report of a done visit that certifies nothing (failed, or a unit that needs no
        certificate): the same page, titled as a report, "Failed: out of service" when so."""
        self.ensure_one()
        self.check_access("read")
        if self.state != "done" or self.result == "not_done":
            raise UserError(self.env._("Only a finished visit has an inspection report."))
        if self.certificate_number:
            return self.action_print_certificate()
        return self.env.ref(CERTIFICATE_REPORT).report_action(self)

    def action_open_certificate(self):
        """Open the certificate's PDF (smart button)."""
        self.ensure_one()
        self.check_access("read")
        if not self.certificate_attachment_id:
            return self.action_print_certificate()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.certificate_attachment_id.id}?download=false",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------

    def _is_certificate_due(self):
        self.ensure_one()
        return (
            self.state == "done"
            and self.result in CERTIFIED_RESULTS
            and not self.certificate_number
            and bool(self.contract_id._get_booking_category().safety_critical)
        )

    def _issue_certificate_if_due(self):
        """A passed visit of a safety-critical unit: number, PDF on the visit, note on the
        contract, email to the client. Only the number is certain: a PDF or mail problem is
        noted for the office and never fails the visit."""
        res = super()._issue_certificate_if_due()
        for visit in self.sudo():
            if visit._is_certificate_due():
                visit._issue_certificate()
        return res

    def _issue_certificate(self):
        self.ensure_one()
        self.write(self._prepare_certificate_values())
        attachment, error = self._render_certificate_attachment()
        contract = self.contract_id
        if attachment:
            self.certificate_attachment_id = attachment
            email_error = self._send_certificate_email(attachment)
            if email_error:
                sent = self.env._("It could not be emailed to the client (%s): please send it.", email_error)
            else:
                sent = self.env._("It was emailed to the client.")
            body = Markup("%s %s") % (
                self.env._(
                    "Inspection certificate %(number)s issued after visit %(visit)s, valid until %(until)s.",
                    number=self.certificate_number,
                    visit=self.name,
                    until=self._format_certificate_date(self.certificate_valid_until),
                ),
                sent,
            )
            contract.message_post(body=body, attachment_ids=attachment.ids, subtype_xmlid="mail.mt_note")
        else:
            body = self.env._(
                "Inspection certificate %(number)s issued after visit %(visit)s, but its PDF could not be made"
                " (%(error)s), so the client has not received it. Print it from the visit (Print Certificate)"
                " once this is fixed, and send it to the client.",
                number=self.certificate_number,
                visit=self.name,
                error=error,
            )
            contract.message_post(body=body, subtype_xmlid="mail.mt_note")
            self.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def _prepare_certificate_values(self):
        self.ensure_one()
        sequence = self.env["ir.sequence"].with_company(self.company_id)
        return {
            "certificate_number": sequence.next_by_code(
                "fusion.repair.maintenance.certificate", sequence_date=self.visit_date
            ),
            "certificate_token": _new_certificate_token(),
            "certificate_valid_until": self._get_certificate_valid_until(),
        }

    def _get_certificate_service_date(self):
        """The service date the contract is (or was) rolled forward from: the same rule as the
        roll-forward (``_get_maintenance_service_date`` of the task), whatever the order in which
        the task and the visit are closed."""
        self.ensure_one()
        if self.task_id:
            return self.task_id._get_maintenance_service_date()
        return self.visit_date or fields.Date.context_today(self)

    def _get_certificate_valid_until(self):
        """The next due date after this visit: service date + the contract's interval."""
        self.ensure_one()
        return self._get_certificate_service_date() + relativedelta(months=self.contract_id.interval_months)

    def _get_certificate_filename(self):
        self.ensure_one()
        return "%s.pdf" % (self.certificate_number or self.name).replace("/", "-")

    def _render_certificate_attachment(self):
        """Render the certificate with wkhtmltopdf and attach it to the visit.

        :return: ``(ir.attachment, None)``, or ``(empty, error)`` when no PDF could be made
        """
        self.ensure_one()
        Attachment = self.env["ir.attachment"]

        def render_and_attach():
            content, report_type = (
                self.env["ir.actions.report"]
                .with_context(report_pdf_no_attachment=True)
                ._render_qweb_pdf(CERTIFICATE_REPORT, self.ids)
            )
            if report_type != "pdf":
                raise UserError(self.env._("PDF rendering is not available here"))
            return Attachment.create(
                {
                    "name": self._get_certificate_filename(),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )

        attachment, error = try_step(self.env.cr, render_and_attach, f"Certificate PDF of visit {self.name}")
        return attachment or Attachment, error

    def _send_certificate_email(self, attachment):
        """Email the client the certificate (through the visit's chatter, to the client only).

        :return: None, or the reason the email could not be sent
        """
        self.ensure_one()
        template = self.env.ref(CERTIFICATE_TEMPLATE, raise_if_not_found=False)
        if not template:
            return self.env._("the email template is missing")
        if not self.partner_id.email:
            return self.env._("the client has no email address")
        _message, error = post_client_email(self, template, self.partner_id, attachment_ids=attachment.ids)
        return (str(error) or error.__class__.__name__) if error else None

    # ------------------------------------------------------------------
    # What the certificate says (report, email, public page)
    # ------------------------------------------------------------------

    def _get_certificate_url(self):
        """The public verification page of this certificate (full URL, for the QR code)."""
        self.ensure_one()
        return f"{self.get_base_url()}{CERTIFICATE_ROUTE}/{self.sudo().certificate_token}"

    def _get_certificate_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.env.lang or "en_CA"

    def _format_certificate_date(self, value, lang=None):
        """ "July 12, 2027" (empty for no date)."""
        if not value:
            return ""
        return babel.dates.format_date(value, format="long", locale=babel_locale(lang or self.env.lang))

    def _get_certificate_qr_data_uri(self, size=150):
        """The QR code of the verification URL as an inline PNG (no request to the server
        while wkhtmltopdf renders)."""
        self.ensure_one()
        png = self.env["ir.actions.report"].barcode("QR", self._get_certificate_url(), width=size, height=size)
        return "data:image/png;base64,%s" % base64.b64encode(png).decode()

    def _get_certificate_unit_values(self, lang=None):
        """What identifies the unit, for the certificate and its public page (no client data)."""
        self.ensure_one()
        contract = self.contract_id
        product = self.product_id
        brand_model = product.with_context(lang=lang or self.env.lang).display_name if product else ""
        return {
            "product": brand_model,
            "category": contract._get_booking_category().name or "",
            "serial": self.serial or contract.serial_display or "",
            "device_licence_number": contract.device_licence_number or "",
        }

    def _get_certificate_values(self):
        """Everything the certificate report shows, in the client's language and the company zone."""
        self.ensure_one()
        lang = self._get_certificate_lang()
        contract = self.contract_id
        company = self.company_id or self.env.company
        tz_name = contract._get_booking_tz()
        technician = self.technician_id
        lang_env = self.with_context(lang=lang).env
        result_labels = dict(self._fields["result"]._description_selection(lang_env))
        line_labels = dict(
            self.env["fusion.repair.maintenance.checklist.line"]._fields["result"]._description_selection(lang_env)
        )
        lines = [
            {
                "name": line.name,
                "safety_critical": line.safety_critical,
                "result": line_labels.get(line.result, ""),
                "result_code": line.result or "",
                "reading": " ".join(part for part in (line.reading or "", line.reading_unit or "") if part)
                if line.reading
                else "",
                "note": line.note or "",
            }
            for line in self.line_ids
        ]
        times = []
        for value in (self.arrival_time, self.departure_time):
            times.append(booking_slots.format_time(value, tz_name, lang) if value else "")
        return {
            "company": company,
            "contractor_registration": company.x_fc_contractor_registration or "",
            "technician_name": technician.name or "",
            "technician_licence": technician.x_fc_licence_number or "",
            "client_name": self.partner_id.name or "",
            "site_address_lines": contract._get_client_address_lines(),
            "unit": self._get_certificate_unit_values(lang),
            "visit_date": self._format_certificate_date(self.visit_date, lang),
            "arrival": times[0],
            "departure": times[1],
            "tz_label": booking_slots.timezone_label(tz_name, lang),
            "lines": lines,
            "remarks": "" if is_html_empty(self.notes) else html2plaintext(self.notes),
            "result": result_labels.get(self.result, ""),
            "result_code": self.result or "",
            "valid_until": self._format_certificate_date(self.certificate_valid_until, lang),
            "signature": image_data_uri(self.signature) if self.signature else False,
            "signed_by": self.signed_by or "",
            "signed_on": self._format_certificate_date(
                fields.Datetime.context_timestamp(self.with_context(tz=tz_name), self.signed_on).date()
                if self.signed_on
                else False,
                lang,
            ),
            "qr_code": self._get_certificate_qr_data_uri() if self.sudo().certificate_token else "",
            "verification_url": self._get_certificate_url() if self.sudo().certificate_token else "",
            "out_of_service": bool(self.out_of_service),
        }
