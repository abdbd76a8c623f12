"""The booking link under garbage: malformed, forged and replayed posts on both POST routes,
and a thousand random or outdated links. Never a server error, never a task, calendar event
or repair order, and an unknown link never shows the client's name.
"""

import contextlib
import os
import secrets
import string
import sys
import time
import urllib.parse

import requests

from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tests.common import Opener

from .common import FROZEN_NOW, BookingHttpMixin, toronto


def _wall_clock():
    """Seconds of real time (freeze_time stops time.monotonic too)."""
    return os.times().elapsed


CLIENT_NAME = "H3 Margaret Wilson"
# Wednesday 13 January 2027, 10:00 in Toronto: free and bookable at FROZEN_NOW
FREE_SLOT = "2027-01-13 15:00:00"

BAD_SLOT_STARTS = [
    "",
    " ",
    "\t\n",
    "null",
    "None",
    "undefined",
    "0",
    "-1",
    "true",
    "[]",
    "{}",
    "lorem ipsum dolor",
    secrets.token_hex(16),
    "'; DROP TABLE fusion_technician_task; --",
    "2027-01-13 15:00:00' OR '1'='1",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%s %s %s",
    "../../../../etc/passwd",
    "x" * 10240,
    "2027-01-13 15:00:00" * 500,
    "\u00e9t\u00e9 \u2603 \U0001f600",
    "\u202e00:00:51 31-10-7202",
    "2027-01-13\x0015:00:00",
    "2027-01-13 15:00:00\x00",
    "\ufeff2027-01-13 15:00:00",
    # Arabic-Indic and full-width digits of a Saturday (strptime reads Unicode digits)
    "\u0662\u0660\u0662\u0667-\u0660\u0661-\u0661\u0666 \u0661\u0665:\u0660\u0660:\u0660\u0660",
    "\uff12\uff10\uff12\uff17-01-16 15:00:00",
    # the free time, written loosely: full-width digits
    "\uff12\uff10\uff12\uff17-01-13 15:00:00",
    # off the 30-minute grid (09:07, 10:15, 10:00:30 in Toronto)
    "2027-01-13 14:07:00",
    "2027-01-13 15:15:00",
    "2027-01-13 15:00:30",
    # past
    "2027-01-11 14:00:00",
    "2027-01-10 15:00:00",
    "2020-01-01 15:00:00",
    "0001-01-01 00:00:00",
    "1970-01-01 00:00:00",
    # inside the 24 h notice (only the office may book there)
    "2027-01-11 20:00:00",
    "2027-01-12 14:00:00",
    # beyond the 21-day horizon
    "2027-02-15 15:00:00",
    "2027-06-01 15:00:00",
    "2099-01-13 15:00:00",
    "9999-12-31 23:30:00",
    # time zone suffixes and other formats of a free time
    "2027-01-13 15:00:00Z",
    "2027-01-13 15:00:00+00:00",
    "2027-01-13 10:00:00-05:00",
    "2027-01-13T15:00:00",
    "2027-01-13T15:00:00Z",
    "2027/01/13 15:00:00",
    "2027/01/12 10:00",
    "13/01/2027 15:00:00",
    "01-13-2027 15:00:00",
    "2027-01-13 15:00",
    "2027-01-13",
    "15:00:00",
    "1799852400",
    "2027-13-13 15:00:00",
    "2027-02-30 15:00:00",
    "2027-01-13 25:00:00",
    "2027-01-13 15:60:00",
    "2027-01-13 15:00:00 ",
    " 2027-01-13 15:00:00",
    # the free time, written loosely: two spaces and a one-digit second
    "2027-01-13  15:00:0",
    # the right format, but nobody works then: weekend, night, before 9, after 17
    "2027-01-16 15:00:00",
    "2027-01-17 15:00:00",
    "2027-01-13 03:00:00",
    "2027-01-13 08:00:00",
    "2027-01-13 12:00:00",
    "2027-01-13 22:00:00",
    "2027-01-14 04:30:00",
]

BAD_SEEN_STARTS = [
    "garbage",
    "x" * 10240,
    "'; DROP TABLE fusion_repair_maintenance_contract; --",
    "2027-01-13 15:00:00\x00",
    "\U0001f600",
    "2027/01/12 10:00",
]


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingBadInput(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @contextlib.contextmanager
    def _isolated(self):
        """Undo whatever a post that should have changed nothing did, so that one hole does not
        hide or cause the result of the next post."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT h3_bad_input")
        try:
            yield
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT h3_bad_input")
            self.env.cr.execute("RELEASE SAVEPOINT h3_bad_input")
            self.env.invalidate_all()
            self.env.transaction.clear()

    @staticmethod
    def _report(message):
        # the test log level hides INFO; the timings are worth seeing
        print(f"[fusion_repairs bad input] {message}", file=sys.__stderr__)

    def _post(self, token, suffix, data):
        """A raw form post (``data`` a dict or a list of pairs, for repeated parameters)."""
        return self._open(token, suffix, data=data, timeout=60)

    def _fresh_csrf(self, token=None):
        return self._csrf(self._doc(self._open(token or self.contract.booking_token)))

    def _csrf_of_another_session(self):
        """A valid CSRF token, but of another visitor's session."""
        own_opener = self.opener
        try:
            self.opener = Opener(self)
            csrf = self._fresh_csrf()
        finally:
            self.opener = own_opener
        self.assertTrue(csrf)
        return csrf

    def assertNoServerError(self, response, what):
        self.assertLess(response.status_code, 500, f"{what!r:.200}: {response.text[:300]}")

    def assertNothingRevealed(self, response, what):
        text = response.text
        for secret in (CLIENT_NAME, "Margaret", "SL-H3-0001", "Queen St", "margaret.h3@example.com"):
            self.assertNotIn(secret, text, f"{what!r:.200} shows {secret!r}")

    def _bad_posts(self, csrf, other_csrf):
        """(label, suffix, data) of every malformed post: at least a hundred."""
        posts = []
        for value in BAD_SLOT_STARTS:
            posts.append(("slot_start", "/confirm", {"slot_start": value, "csrf_token": csrf}))
        for value in BAD_SEEN_STARTS:
            posts.append(
                (
                    "booked_slot_start",
                    "/confirm",
                    {"slot_start": "2027-01-16 15:00:00", "csrf_token": csrf, "booked_slot_start": value},
                )
            )
        # a free time, but without a valid CSRF token of this session
        for label, token in (
            ("missing csrf", None),
            ("empty csrf", ""),
            ("forged csrf", secrets.token_hex(20)),
            ("forged csrf with a time", f"{secrets.token_hex(20)}o{int(time.time()) + 3600}"),
            ("csrf of another session", other_csrf),
            ("huge csrf", "a" * 10240),
            ("csrf sql", "' OR 1=1 --"),
        ):
            data = {"slot_start": FREE_SLOT, "booked_slot_start": ""}
            if token is not None:
                data["csrf_token"] = token
            posts.append((f"confirm, {label}", "/confirm", data))
            cancel = {"csrf_token": token} if token is not None else {}
            posts.append((f"cancel, {label}", "/cancel", cancel))
        # repeated and extra parameters
        posts += [
            ("no parameters", "/confirm", {}),
            ("only csrf", "/confirm", {"csrf_token": csrf}),
            (
                "repeated slot_start",
                "/confirm",
                [("slot_start", "2027-01-16 15:00:00"), ("slot_start", "2027-01-17 15:00:00"), ("csrf_token", csrf)],
            ),
            (
                "repeated slot_start, garbage first",
                "/confirm",
                [("slot_start", "garbage"), ("slot_start", "2027-01-13 22:00:00"), ("csrf_token", csrf)],
            ),
            (
                "repeated csrf, forged first",
                "/confirm",
                [("slot_start", FREE_SLOT), ("csrf_token", "forged"), ("csrf_token", other_csrf)],
            ),
            (
                "repeated csrf, another session's first",
                "/cancel",
                [("csrf_token", other_csrf), ("csrf_token", "forged")],
            ),
            (
                "office-only options inside the notice",
                "/confirm",
                {
                    "slot_start": "2027-01-11 20:00:00",
                    "csrf_token": csrf,
                    "by": "office",
                    "ignore_min_notice": "1",
                    "technician": str(self.technician.id),
                    "notify": "0",
                },
            ),
            (
                "office-only options at night",
                "/confirm",
                {"slot_start": "2027-01-13 03:00:00", "csrf_token": csrf, "by": "office", "ignore_min_notice": "True"},
            ),
            (
                "extra parameters",
                "/confirm",
                {
                    "slot_start": "2027-01-16 15:00:00",
                    "csrf_token": csrf,
                    "token": "x" * 43,
                    "contract_id": str(self.contract.id),
                    "task_id": "1",
                    "state": "done",
                    "debug": "assets",
                },
            ),
            ("cancel with extra parameters", "/cancel", {"csrf_token": csrf, "by": "office", "task_id": "1"}),
            ("cancel of nothing booked", "/cancel", {"csrf_token": csrf}),
            ("cancel with slot", "/cancel", {"csrf_token": csrf, "slot_start": FREE_SLOT}),
        ]
        return posts

    # ------------------------------------------------------------------
    # Posts
    # ------------------------------------------------------------------

    def test_malformed_posts_book_nothing(self):
        token = self.contract.booking_token
        csrf = self._fresh_csrf()
        other_csrf = self._csrf_of_another_session()
        before = self._booking_snapshot()
        posts = self._bad_posts(csrf, other_csrf)
        self.assertGreaterEqual(len(posts), 100)
        started = _wall_clock()
        for label, suffix, data in posts:
            with self.subTest(post=label, data=repr(data)[:120]), self._isolated():
                response = self._post(token, suffix, data)
                self.assertNoServerError(response, data)
                self.assertEqual(self._booking_snapshot(), before)
        # the same posts to unknown links: the friendly page, nothing booked, nothing shown
        unknown_posts = 0
        for unknown in ("x" * 43, secrets.token_urlsafe(32), token[:-2], "abc"):
            for label, suffix, data in posts[::7]:
                unknown_posts += 1
                with self.subTest(unknown=unknown, post=label), self._isolated():
                    response = self._post(unknown, suffix, data)
                    self.assertNoServerError(response, data)
                    self.assertEqual(response.status_code, 404)
                    self.assertNothingRevealed(response, unknown)
        self.assertEqual(self._booking_snapshot(), before)
        self._report(f"{len(posts) + unknown_posts} malformed posts in {_wall_clock() - started:.1f} s")
        # and the link still works: the free time can be booked properly afterwards
        response = self._confirm(token, FREE_SLOT, self._fresh_csrf(), "")
        self.assertIn("notice=booked", response.url)
        self.assertEqual(self.contract.task_id.scheduled_start, toronto(2027, 1, 13, 10))

    def test_malformed_posts_do_not_move_or_cancel_a_booked_visit(self):
        task = self._book(self.contract, toronto(2027, 1, 14, 10), notify=False)
        token = self.contract.booking_token
        csrf = self._fresh_csrf()
        other_csrf = self._csrf_of_another_session()
        before = self._booking_snapshot()
        posts = self._bad_posts(csrf, other_csrf)
        posts = [post for post in posts if post[0] != "cancel of nothing booked" and post[0] != "cancel with slot"]
        posts += [
            # a "book" form from a page that showed no visit: never moves the booked one
            (
                "book form over a booking",
                "/confirm",
                {"slot_start": FREE_SLOT, "csrf_token": csrf, "booked_slot_start": ""},
            ),
            (
                "blank seen booking",
                "/confirm",
                {"slot_start": FREE_SLOT, "csrf_token": csrf, "booked_slot_start": "   "},
            ),
        ]
        for label, suffix, data in posts:
            if suffix == "/cancel" and data and "csrf_token" in dict(data) and dict(data)["csrf_token"] == csrf:
                continue  # a valid cancel of this session cancels, as it should
            with self.subTest(post=label, data=repr(data)[:120]), self._isolated():
                response = self._post(token, suffix, data)
                self.assertNoServerError(response, data)
                self.assertEqual(self._booking_snapshot(), before)
        self.assertEqual(self.contract.task_id, task)
        self.assertEqual(task.state, "scheduled")
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 14, 10))

    # ------------------------------------------------------------------
    # A thousand links
    # ------------------------------------------------------------------

    def _random_tokens(self, old_tokens):
        rng = secrets.SystemRandom()
        tokens = list(old_tokens)
        real = self.contract.booking_token
        # the real link, one character off, cut, extended, in another case
        tokens += [real[:-1] + ("A" if real[-1] != "A" else "B"), real[:-1], real + "A", real.swapcase(), real[1:]]
        tokens += [real[:i] for i in (16, 20, 42)]
        while len(tokens) < 850:
            tokens.append(secrets.token_urlsafe(rng.choice((1, 8, 12, 16, 24, 31, 32, 33, 48, 64, 96, 200))))
        bad_chars = "!$&'()*+,;=:@ \"<>%{}|\\^`~.\u00e9\u2603\U0001f600"
        while len(tokens) < 1000:
            base = list(secrets.token_urlsafe(32))
            for _i in range(rng.randint(1, 3)):
                base[rng.randrange(len(base))] = rng.choice(bad_chars)
            tokens.append("".join(base))
        tokens += [
            "",
            ".",
            "..",
            "%00",
            "%d4oo",  # an escaped byte that is no UTF-8: no 500 from the page's SEO meta
            "xKcifQVg8O9'Xjh%d4oojkltF8LcUkXCmBO8zaC0QcY",
            "a" * 129,
            "a" * 5000,
            "' OR '1'='1",
            "*",
            "%",
            "_" * 43,
            "-" * 43,
            "null",
            string.ascii_letters + string.digits,
        ]
        return tokens

    def test_a_thousand_unknown_links_show_nothing(self):
        # links of earlier cycles, revoked by the office
        old_tokens = []
        for _i in range(5):
            old_tokens.append(self.contract.booking_token)
            self.contract.action_new_booking_link()
        real = self.contract.booking_token
        tokens = self._random_tokens(old_tokens)
        self.assertNotIn(real, tokens)
        self.assertGreaterEqual(len(tokens), 1000)
        before = self._booking_snapshot()
        started = _wall_clock()
        statuses = {}
        for token in tokens:
            path = urllib.parse.quote(token, safe="")
            with self.subTest(token=token[:80]):
                try:
                    response = self._open(path)
                except requests.exceptions.TooManyRedirects:
                    first = self._open(path, allow_redirects=False)
                    self.fail(
                        f"redirect loop on {self._page_url(path)[:200]}: {first.status_code} "
                        f"to {first.headers.get('Location', '')[:200]}"
                    )
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                self.assertNoServerError(response, token)
                self.assertIn(response.status_code, (400, 404), token)
                self.assertNothingRevealed(response, token)
        self._report(f"{len(tokens)} unknown links answered in {_wall_clock() - started:.1f} s: {statuses}")
        self.assertEqual(self._booking_snapshot(), before)
        # old links say the link is no longer active
        for token in old_tokens:
            self.assertIn("This booking link is no longer active", self._page_text(self._open(token)))
        # and the real one still opens the page
        response = self._open(real)
        self.assertEqual(response.status_code, 200)
        self.assertIn("H3 Freecurve Stair Lift", response.text)
