"""The certificates of the unit's past visits, downloaded from its booking link.

``GET /repairs/maintenance/book/<token>/certificate/<visit_id>.pdf``: the PDF of a visit of the
token's own contract, for the client to keep (the link of a visit since done still serves the
certificates until that visit, as its "visit done" page lists them). Any other visit id (another unit's, another
client's, a visit without a certificate) gets the same friendly "not found" page, which says
nothing about any visit.
"""

from odoo import http
from odoo.http import content_disposition, request

from ..lib.booking_slots import BOOKING_ROUTE
from .maintenance_booking import _PRIVATE_PAGE_HEADERS, _TOKEN_RE, find_by_token, set_page_lang


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
        contract, up_to_task = self._get_history_contract(token)
        attachment = contract._get_booking_history_certificate(visit_id, up_to_task) if contract else None
        if not attachment or not attachment.raw:
            return self._render_certificate_missing(contract, token)
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", content_disposition(attachment.name or "certificate.pdf")),
                *_PRIVATE_PAGE_HEADERS.items(),
            ],
        )

    def _get_history_contract(self, token):
        """``(contract, up_to_task)`` of a link (sudo): this cycle's link of an active
        contract (all its visits), or the link of a visit since done (the visits until that
        one, as its "visit done" page lists them); else an empty contract."""
        Contract = request.env["fusion.repair.maintenance.contract"]
        contract = find_by_token(Contract, "booking_token", token)
        if contract.state == "active":
            return contract, None
        done_task = request.env["fusion.technician.task"].sudo()
        if token and _TOKEN_RE.match(token):
            done_task = done_task._find_done_visit_by_token(token)
        if done_task.maintenance_contract_id:
            return done_task.maintenance_contract_id.sudo(), done_task
        return Contract.sudo().browse(), None

    def _render_certificate_missing(self, contract, token):
        set_page_lang(contract.partner_id)  # the language of the ``?lang=`` switch, else the client's
        company = (contract.company_id or request.website.company_id or request.env.company).sudo()
        return request.render(
            "fusion_repairs.maintenance_booking_certificate_missing",
            {
                "company": company,
                "back_url": f"{BOOKING_ROUTE}/{token}" if contract else "",
                "fc_private_page": True,
                "main_object": request.env["fusion.repair.maintenance.contract"],  # no SEO meta (og:url)
                "additional_title": request.env._("Certificate"),
            },
            status=404,
            headers=_PRIVATE_PAGE_HEADERS,
        )
