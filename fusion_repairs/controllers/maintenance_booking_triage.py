"""Triage from the booking link: "Please call me instead" and "My equipment is not working or
feels unsafe" (POST, CSRF checked like /confirm and /cancel), and who else is kept informed.

A refused post (stale or forged form, bad input, too many requests today) creates nothing and
leads back to the page with a plain sentence; a success leads back to the page with a notice.
"""

import logging
from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from ..lib.booking_slots import BOOKING_ROUTE
from ..models.maintenance_contract_triage import CALLBACK, CREATED, DUPLICATE, LIMIT, TIMES_OF_DAY, UNSAFE
from .maintenance_booking import _TOKEN_RE, MaintenanceBookingController, lang_query

_logger = logging.getLogger(__name__)

_TRIAGE_NOTICES = {CALLBACK, UNSAFE}
_TRIAGE_ERRORS = {"invalid_callback", "invalid_unsafe", LIMIT}
CALL_ME_SUFFIX = "/call-me"
REPORT_PROBLEM_SUFFIX = "/report-problem"


class MaintenanceBookingTriageController(MaintenanceBookingController):
    @http.route(
        f"{BOOKING_ROUTE}/<string:token>{CALL_ME_SUFFIX}",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        multilang=False,
        csrf=False,  # checked below, to answer a stale page with the booking page, not a 400
    )
    def maintenance_booking_call_me(self, token, csrf_token=None, time_of_day=None, note=None, **kwargs):
        contract = self._get_contract(token)
        if not contract:
            return self._render_unavailable(token)
        if not request.validate_csrf(csrf_token):
            return self._refused_stale_form(token, contract)
        result = contract._triage_request_callback(time_of_day, note)
        return self._triage_answer(token, contract, CALLBACK, result)

    @http.route(
        f"{BOOKING_ROUTE}/<string:token>{REPORT_PROBLEM_SUFFIX}",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        multilang=False,
        csrf=False,  # checked below, as for /call-me
    )
    def maintenance_booking_report_problem(self, token, csrf_token=None, description=None, **kwargs):
        contract = self._get_contract(token)
        if not contract:
            return self._render_unavailable(token)
        if not request.validate_csrf(csrf_token):
            return self._refused_stale_form(token, contract)
        result = contract._triage_report_unsafe(description)
        return self._triage_answer(token, contract, UNSAFE, result)

    @http.route(
        [f"{BOOKING_ROUTE}/<string:token>{CALL_ME_SUFFIX}", f"{BOOKING_ROUTE}/<string:token>{REPORT_PROBLEM_SUFFIX}"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,
    )
    def maintenance_booking_triage_get(self, token, **kwargs):
        """A reloaded or shared form address: back to the page, nothing sent."""
        if not token or not _TOKEN_RE.match(token):
            return self._render_unavailable(token)
        return self._redirect(token)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _triage_answer(self, token, contract, kind, result):
        status = result["status"]
        if status in (CREATED, DUPLICATE):
            return self._triage_redirect(token, f"triage={kind}")
        if status == LIMIT:
            _logger.info("Booking link of contract %s: daily limit of requests reached", contract.id)
            return self._triage_redirect(token, f"triage_error={LIMIT}")
        return self._triage_redirect(token, f"triage_error=invalid_{kind}")

    def _triage_redirect(self, token, query):
        # the answer is at the top of the page: no anchor that would scroll past it; the
        # language chosen on the page stays
        chosen_lang = lang_query()
        if chosen_lang:
            query = f"{query}&{urlencode(chosen_lang)}"
        return request.redirect(f"{BOOKING_ROUTE}/{token}?{query}", local=True)

    def _prepare_page_values(self, contract, error=None, notice=None):
        values = super()._prepare_page_values(contract, error=error, notice=notice)
        args = request.httprequest.args
        triage_notice = args.get("triage")
        if triage_notice not in _TRIAGE_NOTICES or not contract._triage_requests_since(
            contract._triage_day_start()
        ).filtered(lambda triage: triage.kind == triage_notice):
            triage_notice = None  # an old address: nothing of the kind was asked today
        triage_error = args.get("triage_error")
        chosen_lang = lang_query()
        action_query = f"?{urlencode(chosen_lang)}" if chosen_lang else ""  # the forms keep the page's language
        page_url = f"{BOOKING_ROUTE}/{contract.booking_token}"
        time_labels = {
            "morning": request.env._("Morning (9 a.m. to noon)"),
            "afternoon": request.env._("Afternoon (noon to 5 p.m.)"),
            "evening": request.env._("Evening (5 p.m. to 8 p.m.)"),
        }
        values.update(
            {
                "informed_contacts": contract._get_informed_contact_labels(),
                "triage_notice": triage_notice,
                "triage_error": triage_error if triage_error in _TRIAGE_ERRORS else None,
                "triage_times": [(key, time_labels[key]) for key in TIMES_OF_DAY],
                "action_call_me": f"{page_url}{CALL_ME_SUFFIX}{action_query}",
                "action_report_problem": f"{page_url}{REPORT_PROBLEM_SUFFIX}{action_query}",
            }
        )
        return values
