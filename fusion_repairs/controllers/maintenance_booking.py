"""The client's booking pages: no login, the link in the reminder email is the key.

``GET /repairs/maintenance/book/<token>`` only reads. The two POST routes (CSRF protected) find
the contract of the token and go through the same doors as the office (``book_slot`` /
``cancel_booking`` with ``by="client"``), then redirect to the page; a refusal is shown on the
page with fresh slots, never as an error page, and never with an internal error text.
"""

import logging
import re
from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from ..lib import booking_slots
from ..lib.booking_slots import BOOKING_ROUTE, BY_CLIENT, CANCELLED, MOVED

_logger = logging.getLogger(__name__)
# secrets.token_urlsafe output: no need to look up anything else
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
# personal pages: never indexed, never served from a cache (the free times change), and the
# address (it holds the token) is never sent to another site as a referrer
_PRIVATE_PAGE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
# days of free times listed at once; the next ones are behind "Show more days"
DAYS_SHOWN = 5
_NOTICES = {"booked", "moved", "cancelled"}
# refusals shown after a redirect (the page then has fresh slots from a new transaction)
_ERRORS = {
    booking_slots.SLOT_INVALID,
    booking_slots.SLOT_PAST,
    booking_slots.SLOT_TOO_SOON,
    booking_slots.SLOT_TOO_FAR,
    booking_slots.SLOT_OFF_GRID,
    "unavailable",
    "taken",
    "cutoff",
    "started",
    "not_open",
    "session",
    "already_booked",
    "not_cancellable",
    "nothing_to_cancel",
    "out_of_service",
    "notes_too_long",
}


def find_by_token(model, field_name, token):
    """The record of ``model`` (sudo) whose ``field_name`` is ``token``, or an empty recordset:
    a malformed token looks up nothing; the match is compared in constant time, like the
    portal's access tokens."""
    records = model.sudo()
    if not token or not _TOKEN_RE.match(token):
        return records.browse()
    record = records.search([(field_name, "=", token)], limit=1)
    return record if record and consteq(record[field_name] or "", token) else records.browse()


# Language of the public pages: their routes have no language prefix (multilang=False), so a
# page is shown in the language of its ``?lang=`` switch, else in the client's own (partner
# ``lang``). Choosing one changes nothing stored (a GET never does): it travels in the address.


def page_languages():
    """``{'en': code, 'fr': code}`` of the installed languages the pages offer (Canadian
    variants first); a language not installed is not offered."""
    installed = [code for code, _name in request.env["res.lang"].get_installed()]
    offered = {}
    for family, preferred in (("en", ("en_CA", "en_US")), ("fr", ("fr_CA", "fr_FR"))):
        candidates = [code for code in preferred if code in installed]
        candidates += [code for code in installed if code.split("_")[0] == family]
        if candidates:
            offered[family] = candidates[0]
    return offered


def requested_lang(partner=None):
    """The installed language asked by ``?lang=`` ("fr", "fr_CA", "en"...), else the one
    of ``partner`` if installed, else None (the website's)."""
    installed = {code for code, _name in request.env["res.lang"].get_installed()}
    asked = request.params.get("lang")
    if isinstance(asked, str) and asked:
        asked = asked.replace("-", "_")
        if asked in installed:
            return asked
        family = page_languages().get(asked.split("_")[0].lower())
        if family:
            return family
    if partner and partner.lang in installed:
        return partner.lang
    return None


def set_page_lang(partner=None):
    """Render what follows in the page's language (see ``requested_lang``); returns
    the language code."""
    lang = requested_lang(partner) or request.env.lang
    request.update_context(lang=lang, fusion_client_lang=lang)
    return lang


def in_page_lang(record):
    """``record`` (sudo or not, as it is) reading and writing in the page's language."""
    context = request.env.context
    return record.with_context(lang=context.get("lang"), fusion_client_lang=context.get("fusion_client_lang"))


def lang_query():
    """The ``lang`` query argument to keep in the page's own addresses, when one was chosen."""
    asked = request.params.get("lang")
    lang = requested_lang() if isinstance(asked, str) and asked else None
    return {"lang": lang} if lang else {}


def language_switch(page_url):
    """The page's language links: ``[{'code', 'label', 'hreflang', 'url', 'active'}]`` (empty
    when only one language is installed)."""
    offered = page_languages()
    if len(offered) < 2:
        return []
    current = request.env.lang
    labels = {"en": "English", "fr": "Français"}
    return [
        {
            "code": code,
            "label": labels[family],
            "hreflang": code.replace("_", "-"),
            "url": f"{page_url}?{urlencode({'lang': code})}",
            "active": current.split("_")[0] == family,
        }
        for family, code in offered.items()
    ]


class MaintenanceBookingController(http.Controller):
    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route(
        f"{BOOKING_ROUTE}/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
    )
    def maintenance_booking_page(self, token, notice=None, error=None, **kwargs):
        contract = self._get_contract(token)
        if not contract:
            return self._render_unavailable(token)
        set_page_lang(contract.partner_id)
        contract = in_page_lang(contract)
        message = self._get_refusal_message(contract, error)
        return self._render_page(contract, error=message, notice=self._current_notice(contract, notice))

    @http.route(
        f"{BOOKING_ROUTE}/<string:token>/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
        csrf=False,  # checked below, to answer a stale page with the booking page, not a 400
    )
    def maintenance_booking_confirm(
        self, token, slot_start=None, csrf_token=None, booked_slot_start=None, home_notes=None, **kwargs
    ):
        """``booked_slot_start`` is the visit the page showed when it was sent ("" when none):
        a page still offering "Book this time" must not move a visit booked meanwhile in
        another tab or by someone else of the household. ``home_notes``: the client's notes
        for the technician, when the form has them (saved on the contract and the visit)."""
        contract = self._get_contract(token)
        if not contract:
            return self._render_unavailable(token)
        if not request.validate_csrf(csrf_token):
            return self._refused_stale_form(token, contract)
        try:
            if home_notes is not None:
                contract._check_home_notes(home_notes)  # too long: refused before booking
            result = contract.book_slot(slot_start, by=BY_CLIENT, seen_start=booked_slot_start)
            if home_notes is not None:
                contract._set_home_notes(home_notes)
        except (UserError, ValidationError, AccessError) as error:
            return self._refused(token, contract, error)
        notice = "moved" if result["status"] == MOVED else "booked"
        return self._redirect(token, notice=notice)

    @http.route(
        f"{BOOKING_ROUTE}/<string:token>/cancel",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
        csrf=False,  # checked below, as for /confirm
    )
    def maintenance_booking_cancel(self, token, csrf_token=None, **kwargs):
        contract = self._get_contract(token)
        if not contract:
            return self._render_unavailable(token)
        if not request.validate_csrf(csrf_token):
            return self._refused_stale_form(token, contract)
        try:
            result = contract.cancel_booking(by=BY_CLIENT)
        except (UserError, ValidationError, AccessError) as error:
            return self._refused(token, contract, error)
        if result["status"] != CANCELLED:
            return self._redirect(token, error="nothing_to_cancel")
        return self._redirect(token, notice="cancelled")

    @http.route(
        [f"{BOOKING_ROUTE}/<string:token>/confirm", f"{BOOKING_ROUTE}/<string:token>/cancel"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        multilang=False,  # no language prefix: a token with "%" must not be "canonicalised" in a loop
    )
    def maintenance_booking_action_get(self, token, **kwargs):
        """A reloaded or shared form address: back to the page, nothing changed."""
        if not token or not _TOKEN_RE.match(token):
            return self._render_unavailable(token)
        return self._redirect(token)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _get_contract(self, token):
        """The active contract of this booking link (sudo), or an empty recordset.

        Looked up by value, then compared in constant time like the portal's access tokens;
        an old-cycle, paused or cancelled contract's link opens nothing.
        """
        contract = find_by_token(request.env["fusion.repair.maintenance.contract"], "booking_token", token)
        return contract if contract.state == "active" else contract.browse()

    def _get_office(self, company=None):
        company = company or request.website.company_id or request.env.company
        return company.sudo()

    def _render_unavailable(self, token):
        """The friendly page of a link that opens nothing: only the office's number, nothing
        about any contract. A link whose visit was done says so (the next cycle has a new one)."""
        set_page_lang()
        done_task = request.env["fusion.technician.task"].sudo()
        if token and _TOKEN_RE.match(token):
            done_task = done_task._find_done_visit_by_token(token)
        company = self._get_office(done_task.company_id)
        return request.render(
            "fusion_repairs.maintenance_booking_unavailable",
            {
                "company": company,
                "visit_done": bool(done_task),
                # the unit's visits until this one, with their certificates (maintenance_booking_history.py)
                "past_visits": done_task.maintenance_contract_id._get_booking_history(token, up_to_task=done_task)
                if done_task.maintenance_contract_id
                else [],
                "fc_private_page": True,
                "main_object": request.env["fusion.repair.maintenance.contract"],  # no SEO meta (og:url)
                "additional_title": request.env._("Maintenance booking"),
            },
            status=200 if done_task else 404,
            headers=_PRIVATE_PAGE_HEADERS,
        )

    def _prepare_page_values(self, contract, error=None, notice=None):
        env = request.env
        contract = in_page_lang(contract)
        lang = env.lang
        chosen_lang = lang_query()
        action_query = f"?{urlencode(chosen_lang)}" if chosen_lang else ""
        tz_name = contract._get_booking_tz()
        settings = contract._get_booking_settings()
        task = contract._get_current_booking_task()
        can_change = contract._booking_change_allowed()
        # a unit that cannot be booked at all (out of service): the page says why, no times
        blocked = contract._get_booking_block_reason()
        days = []
        if (not task or can_change) and not blocked:
            slots = contract._get_available_slots(for_client=True)
            days = booking_slots.group_slots_by_day(slots, tz_name, lang, settings["arrival_window_minutes"])
        current_value = booking_slots.format_slot_start(task.scheduled_start) if task else ""
        return {
            "contract": contract,
            "company": self._get_office(contract.company_id),
            "token": contract.booking_token,
            "action_confirm": f"{BOOKING_ROUTE}/{contract.booking_token}/confirm{action_query}",
            "action_cancel": f"{BOOKING_ROUTE}/{contract.booking_token}/cancel{action_query}",
            "fc_languages": language_switch(f"{BOOKING_ROUTE}/{contract.booking_token}"),
            "fee_label": contract._format_client_amount(contract.x_fc_maintenance_fee),
            "category": contract._get_booking_category(),
            "due_date_label": booking_slots.format_day_date(contract.next_due_date, lang),
            "days": days,
            "current_value": current_value,
            "tz_label": booking_slots.timezone_label(tz_name, lang),
            "settings": settings,
            "booking": contract._get_booking_summary(task) if task else {},
            "can_change": can_change,
            "error": None if blocked else error,
            "notice": notice,
            "blocked": blocked,
            "blocked_message": contract._get_booking_refusal_message(blocked) if blocked else None,
            "prepare_items": contract._get_visit_preparation_items(),
            "visit_duration_label": booking_slots.format_duration(contract._get_visit_duration_hours(), lang),
            "opening_label": contract._get_booking_opening_label(),
            "days_shown": DAYS_SHOWN,
            # no analytics or custom code of the website on a page whose address is a key
            "fc_private_page": True,
            # no SEO/OpenGraph meta: it would repeat the private address (and core chokes on
            # some escaped characters in it)
            "main_object": request.env["fusion.repair.maintenance.contract"],
            "additional_title": env._("Your equipment is out of service")
            if blocked == "out_of_service"
            else env._("Book your maintenance visit"),
        }

    def _get_refusal_message(self, contract, error):
        """The text of the ``?error=`` reason of a redirect, or None (unknown reason, or one
        that is no longer true)."""
        booked = bool(contract._get_current_booking_task())
        if (error == "already_booked" and not booked) or (error == "nothing_to_cancel" and booked):
            return None  # no longer true
        if error in _ERRORS:
            return contract._get_booking_refusal_message(error)
        return None

    def _current_notice(self, contract, notice):
        """The notice of the last action, only while it is still true: an old address in
        the history must not say "cancelled" above a visit booked since, or the reverse."""
        if notice not in _NOTICES:
            return None
        booked = bool(contract._get_current_booking_task())
        return notice if booked == (notice != "cancelled") else None

    def _refused_stale_form(self, token, contract):
        """A form without a valid CSRF token (a page kept open for days, cookies cleared, or a
        forged post): nothing is changed, the client gets the page again with fresh times."""
        _logger.info("Booking form of contract %s refused: missing or expired CSRF token", contract.id)
        return self._redirect(token, error="session")

    def _refused(self, token, contract, error):
        """Back to the page with the reason, by a redirect, so that the free times shown come
        from a new transaction (a slot just taken by a concurrent booking is then no longer
        offered). A refusal the client cannot act on (a company or stock rule, an access
        problem) is logged for the office and shown as a plain sentence with the phone number:
        internal texts never reach the public page."""
        reason = getattr(error, "reason", None)
        if reason in _ERRORS:
            return self._redirect(token, error=reason)
        _logger.warning("Booking link of contract %s refused an action: %s", contract.id, error)
        set_page_lang(contract.partner_id)
        contract = in_page_lang(contract)
        return self._render_page(contract, error=self._generic_refusal(contract))

    def _generic_refusal(self, contract):
        phone = self._get_office(contract.company_id).phone
        message = request.env._("We could not make that change online, and nothing has been changed.")
        if phone:
            return " ".join((message, request.env._("Please call us at %s and we will arrange it.", phone)))
        return message

    def _redirect(self, token, notice=None, error=None):
        args = {"notice": notice} if notice else {"error": error} if error else {}
        args.update(lang_query())  # the language chosen on the page stays
        query = f"?{urlencode(args)}" if args else ""
        return request.redirect(f"{BOOKING_ROUTE}/{token}{query}", local=True)

    def _render_page(self, contract, error=None, notice=None):
        set_page_lang(contract.partner_id)
        return request.render(
            "fusion_repairs.maintenance_booking_page",
            self._prepare_page_values(contract, error=error, notice=notice),
            headers=_PRIVATE_PAGE_HEADERS,
        )
