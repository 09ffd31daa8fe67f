"""Junk sent to every URL pattern of the site never gets a server error.

Every pattern the URL resolver knows (the Django admin aside, which is Django's own) has
its path segments filled with junk; every page a visitor or a curator can reach by links
is fetched again with junk query parameters, with one path segment at a time swapped for
junk, and each form on it is sent back with junk in every field. Anonymous and signed in
as a curator who also manages a jurisdiction. Any answer is fine except a 5xx.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories as f
from tests.browse_data import build_catalogue

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.timeout(600)]

# Path junk as it appears in a URL: NUL, overlong, bytes that are not UTF-8, an unknown
# value, a number too big for any database integer.
PATH_JUNK = ["%00", "x" * 10_000, "%ff%fe", "no-such-thing", "99999999999999999999999"]
# The same as form and query values (bytes that are not UTF-8 are sent already encoded).
VALUE_JUNK = ["\x00", "x" * 10_000, "no-such-thing", "99999999999999999999999"]
NOT_UTF8 = "%ff%fe"
QUERY_NAMES = [
    "q", "page", "sort", "next", "cycle", "review", "response", "theme", "group", "sdg",
    "country", "region", "action", "jurisdiction", "local_action", "state", "kind",
    "status", "network", "year", "format", "recommendation", "no_such_parameter",
]  # fmt: skip
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
# Sending these would end the session the walk relies on; they hold no data input.
SIGN_OUT = ("/accounts/logout/",)


def all_routes():
    """Each pattern as a list of pieces: literal text, or None where a value goes."""

    def walk(patterns, prefix):
        for entry in patterns:
            pieces = prefix + split_pattern(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, pieces)
            elif isinstance(entry, URLPattern):
                yield pieces

    return list(walk(get_resolver().url_patterns, []))


def split_pattern(pattern):
    route = getattr(pattern, "_route", None)
    if route is not None:
        return [
            piece if n % 2 == 0 else None for n, piece in enumerate(re.split(r"<[^>]+>", route))
        ]
    # re_path: drop anchors, and stand one value in for each group.
    regex = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    pieces = [piece if n % 2 == 0 else None for n, piece in enumerate(re.split(r"\(.*?\)", regex))]
    return [p.replace("\\", "") if p is not None else None for p in pieces]


def fill(pieces, value):
    return "/" + "".join(value if piece is None else piece for piece in pieces)


class Links(HTMLParser):
    """Links and forms of one page: hrefs, and each form's action, method and fields."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.add(attrs["href"].split("#")[0])
        elif tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action"),
                    "method": (attrs.get("method") or "get").lower(),
                    "fields": set(),
                }
            )
        elif tag in {"input", "select", "textarea"} and self.forms and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self.forms[-1]["fields"].add(attrs["name"])


class Walk:
    def __init__(self, user):
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.errors = []
        self.sent = 0
        self.signed_out = True

    def send(self, method, url, data=None, **extra):
        if self.user is not None and self.signed_out:
            self.client.force_login(self.user)
        response = getattr(self.client, method)(url, data or {}, **extra)
        # A junk request may end the session (a refused form can sign out): sign in again.
        user = getattr(response.wsgi_request, "user", None)
        if user is not None:
            self.signed_out = not user.is_authenticated
        self.sent += 1
        if response.status_code >= 500:
            self.errors.append(
                (self.user and "curator", method.upper(), url[:200], response.status_code)
            )
        return response

    def crawl(self, start, limit=400):
        """Pages reachable by links (one example of each pattern is enough)."""
        seen, queue, forms = set(), list(start), {}
        patterns = set()
        while queue and len(seen) < limit:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in seen or path.startswith(SKIPPED_PREFIXES) or path in SIGN_OUT:
                continue
            shape = re.sub(r"\d+", "N", path)
            if shape in patterns:
                continue
            patterns.add(shape)
            seen.add(url)
            response = self.send("get", url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = Links()
            page.feed(response.content.decode(errors="replace"))
            queue += sorted(page.links - seen)
            for form in page.forms:
                action = form["action"] or path
                if action.startswith("/") and not action.startswith(SIGN_OUT):
                    forms.setdefault((form["method"], urlsplit(action).path), set()).update(
                        form["fields"]
                    )
        return seen, forms


def junk_path_variants(url):
    """The URL with each of its segments, one at a time, swapped for each kind of junk."""
    segments = urlsplit(url).path.strip("/").split("/")
    for n in range(len(segments)):
        for junk in PATH_JUNK:
            yield "/" + "/".join(segments[:n] + [junk] + segments[n + 1 :]) + "/"


@pytest.fixture
def people():
    build_catalogue()
    town = f.jurisdiction(name="Erie", slug="erie-pa")
    curator = f.curator(email="curator@example.org")
    f.membership(curator, town, role="manager")
    commitment = f.commitment(jurisdiction=town, title="Erie plan", publication="draft")
    f.link(commitment, f.recommendation())
    f.update(commitment)
    return {"anonymous": None, "curator": curator}


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_junk_in_every_url_pattern_never_causes_a_server_error(people, who):
    walk = Walk(people[who])
    routes = [
        pieces for pieces in all_routes() if not fill(pieces, "").startswith(SKIPPED_PREFIXES)
    ]
    assert len(routes) > 60

    # 1. Every pattern, each value slot filled with each kind of junk, GET and POST.
    for pieces in routes:
        if None not in pieces:
            continue
        for junk in PATH_JUNK:
            url = fill(pieces, junk)
            walk.send("get", url)
            if junk in ("%00", "no-such-thing") and not url.startswith(SIGN_OUT):
                walk.send("post", url, {"name": "junk"})

    # 2. Real pages, found by following links from the start pages.
    start = [
        "/",
        "/recommendations/",
        "/commitments/",
        "/jurisdictions/",
        "/themes/",
        "/subscriptions/",
    ]
    if who == "curator":
        start += ["/manage/", "/manage/review/", "/manage/imports/", "/manage/themes/"]
    start += [fill(pieces, "") for pieces in routes if None not in pieces]
    pages, forms = walk.crawl(start)
    assert len(pages) > 30

    for url in sorted(pages):
        path = urlsplit(url).path
        for junk in VALUE_JUNK:
            walk.send("get", path + "?" + urlencode({name: junk for name in QUERY_NAMES}))
        walk.send("get", path + "?" + "&".join(f"{name}={NOT_UTF8}" for name in QUERY_NAMES))
        for variant in junk_path_variants(url):
            walk.send("get", variant)

    # 3. Each form sent back with junk in every field, and with junk field names.
    for (method, action), fields in sorted(forms.items()):
        names = sorted(fields | {"no_such_field"})
        for junk in VALUE_JUNK:
            data = {name: junk for name in names}
            if method == "post":
                walk.send("post", action, data)
            else:
                walk.send("get", action + "?" + urlencode(data))
        walk.send("post", action, {name: [*VALUE_JUNK] for name in names})
        raw = "&".join(f"{quote(name)}={NOT_UTF8}" for name in names)
        if method == "post":
            walk.send("post", action, raw, content_type="application/x-www-form-urlencoded")
        else:
            walk.send("get", action + "?" + raw)

    report = "\n".join(" ".join(map(str, error)) for error in walk.errors)
    assert not walk.errors, f"{len(walk.errors)} of {walk.sent} requests got a 5xx:\n{report}"


def test_an_id_too_big_for_any_database_is_a_form_error(client):
    recommendation = f.recommendation()
    client.force_login(f.curator())

    response = client.post(
        reverse("staff:recommendation-edit", args=[recommendation.pk]),
        {"text": "Changed text.", "response": "supported", "themes": ["99999999999999999999999"]},
    )

    assert response.status_code == 200
    assert "is not a valid value" in str(response.context["form"].errors["themes"])


@pytest.mark.parametrize("target", ["no-such-thing", "home", "99999999999999999999999"])
def test_a_basket_return_address_that_is_no_path_is_not_a_server_error(client, target):
    response = client.post("/reports/basket/", {"clear": "1", "next": target})

    assert response.status_code == 302
