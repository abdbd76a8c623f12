"""The certificates of the unit's past visits, downloaded from its booking link.

``GET /repairs/maintenance/book/<token>/certificate/<visit_id>.pdf``: the PDF of a visit of the
token's own contract, for the client to keep. Any other visit id (another unit's, another
client's, a visit without a certificate) gets the same friendly "not found" page, which says
nothing about any visit.
"""

from odoo import http
from odoo.http import content_disposition, request

from ..lib.booking_slots import BOOKING_ROUTE
from .maintenance_booking import _PRIVATE_PAGE_HEADERS, find_by_token


class MaintenanceBookingHistoryController(http.Controller):
    @http.route(
        f"{BOOKING_ROUTE}/<string:token>/certificate/<int:visit_id>.pdf",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
    )
    def maintenance_booking_certificate(self, token, visit_id, **kwargs):
        contract = find_by_token(request.env["fusion.repair.maintenance.contract"], "booking_token", token)
        if contract.state != "active":
            contract = contract.browse()
        attachment = contract._get_booking_history_certificate(visit_id) if contract else None
        if not attachment or not attachment.raw:
            return self._render_certificate_missing(contract)
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", content_disposition(attachment.name or "certificate.pdf")),
                *_PRIVATE_PAGE_HEADERS.items(),
            ],
        )

    def _render_certificate_missing(self, contract):
        company = (contract.company_id or request.website.company_id or request.env.company).sudo()
        return request.render(
            "fusion_repairs.maintenance_booking_certificate_missing",
            {
                "company": company,
                "back_url": f"{BOOKING_ROUTE}/{contract.booking_token}" if contract else "",
                "fc_private_page": True,
                "main_object": request.env["fusion.repair.maintenance.contract"],  # no SEO meta (og:url)
                "additional_title": request.env._("Certificate"),
            },
            status=404,
            headers=_PRIVATE_PAGE_HEADERS,
        )
