"""The client's notes for the technician, saved on their own once a visit is booked.

``POST /repairs/maintenance/book/<token>/notes`` (CSRF checked): saves the notes on the contract
and its booked visit, then back to the page. A stale form or notes that are too long change
nothing and say why on the page.
"""

import logging
from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..lib.booking_slots import BOOKING_ROUTE
from .maintenance_booking import _TOKEN_RE, find_by_token, lang_query

_logger = logging.getLogger(__name__)


class MaintenanceBookingHomeNotesController(http.Controller):
    @http.route(
        f"{BOOKING_ROUTE}/<string:token>/notes",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
        csrf=False,  # checked below, to answer a stale page with the booking page, not a 400
    )
    def maintenance_booking_notes(self, token, home_notes=None, csrf_token=None, **kwargs):
        contract = find_by_token(request.env["fusion.repair.maintenance.contract"], "booking_token", token)
        if contract.state != "active":
            # the booking page tells the client this link opens nothing
            return request.redirect(f"{BOOKING_ROUTE}/{token}" if _TOKEN_RE.match(token or "") else "/", local=True)
        if not request.validate_csrf(csrf_token):
            _logger.info("Notes form of contract %s refused: missing or expired CSRF token", contract.id)
            return request.redirect(f"{BOOKING_ROUTE}/{token}?error=session", local=True)
        try:
            contract._set_home_notes(home_notes)
        except UserError as error:
            reason = getattr(error, "reason", None) or "session"
            return request.redirect(f"{BOOKING_ROUTE}/{token}?error={reason}", local=True)
        chosen_lang = lang_query()  # the language chosen on the page stays
        lang_suffix = f"&{urlencode(chosen_lang)}" if chosen_lang else ""
        return request.redirect(f"{BOOKING_ROUTE}/{token}?saved=notes{lang_suffix}", local=True)

    @http.route(
        f"{BOOKING_ROUTE}/<string:token>/notes",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,
    )
    def maintenance_booking_notes_get(self, token, **kwargs):
        """A reloaded form address: back to the page, nothing changed."""
        return request.redirect(f"{BOOKING_ROUTE}/{token}" if _TOKEN_RE.match(token or "") else "/", local=True)
