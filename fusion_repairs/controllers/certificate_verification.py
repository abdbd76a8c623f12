"""The public page of an inspection certificate, opened from its QR code.

``GET /repairs/certificate/<token>`` only reads. It tells whoever holds the certificate (the
client, a buyer, an inspector) that it is genuine: number, unit, inspection date, result and
validity, and the company that issued it. Nothing about the client (name, address) is shown.
"""

from odoo import fields, http
from odoo.http import request

from ..models.maintenance_visit_certificate import CERTIFICATE_ROUTE

# certificate codes are looked up like booking links (secrets.token_urlsafe, constant-time match)
from .maintenance_booking import _PRIVATE_PAGE_HEADERS, find_by_token, language_switch, set_page_lang


class CertificateVerificationController(http.Controller):
    @http.route(
        f"{CERTIFICATE_ROUTE}/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
    )
    def certificate_verification_page(self, token, **kwargs):
        visit = self._get_certificate_visit(token)
        # the language of the ``?lang=`` switch, else the client's (that of the printed certificate)
        set_page_lang(visit.partner_id)
        if not visit:
            return request.render(
                "fusion_repairs.certificate_verification_unknown",
                {"fc_private_page": True, "additional_title": request.env._("Certificate check")},
                status=404,
                headers=_PRIVATE_PAGE_HEADERS,
            )
        return request.render(
            "fusion_repairs.certificate_verification_page",
            self._prepare_certificate_values(visit),
            headers=_PRIVATE_PAGE_HEADERS,
        )

    def _get_certificate_visit(self, token):
        """The visit whose certificate has this code (sudo), or an empty recordset: looked up by
        value, then compared in constant time like the portal's access tokens."""
        visit = find_by_token(request.env["fusion.repair.maintenance.visit"], "certificate_token", token)
        return visit if visit.certificate_number else visit.browse()

    def _prepare_certificate_values(self, visit):
        """What the page shows: the certificate and the unit, never the client."""
        lang = request.env.lang
        tz_name = visit.contract_id._get_booking_tz()
        today = fields.Date.context_today(visit.with_context(tz=tz_name))
        result_labels = dict(visit._fields["result"]._description_selection(request.env))
        valid_until = visit.certificate_valid_until
        return {
            "certificate_number": visit.certificate_number,
            "unit": visit._get_certificate_unit_values(lang),
            "inspection_date": visit._format_certificate_date(visit.visit_date, lang),
            "result": result_labels.get(visit.result, ""),
            "valid_until": visit._format_certificate_date(valid_until, lang),
            "is_current": bool(valid_until and valid_until >= today),
            "company_name": (visit.company_id or request.env.company).name,
            "fc_languages": language_switch(f"{CERTIFICATE_ROUTE}/{visit.certificate_token}"),
            # no analytics or custom code of the website on a page whose address is a key
            "fc_private_page": True,
            "additional_title": request.env._("Inspection certificate %s", visit.certificate_number),
        }
