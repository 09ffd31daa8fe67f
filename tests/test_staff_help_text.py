"""Help text on staff forms is announced: every aria-describedby names an id that exists in
the page, and every help paragraph and error list is named by the field it belongs to.
axe-core does not check this, so this test renders every staff page, blank and with
errors, and reads the markup."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.staff_pages import CURATOR, MANAGER

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described_by, self.described = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
            if attrs["id"].endswith(("_helptext", "_error")):
                self.described.append(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by.append((tag, attrs.get("name"), attrs["aria-describedby"]))


def problems_in(path: str, html: str) -> list[str]:
    page = Ids()
    page.feed(html)
    found = []
    referenced = set()
    for tag, name, ids in page.described_by:
        for target in ids.split():
            referenced.add(target)
            if target not in page.ids:
                found.append(f"{path}: <{tag} name={name}> points at missing #{target}")
    for target in page.described:
        if target not in referenced:
            found.append(f"{path}: #{target} is not named by any field")
    return found


def client_for(email):
    from django.contrib.auth import get_user_model

    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    return client


def test_every_aria_describedby_on_every_staff_page_points_at_an_existing_id(staff_scene):
    problems, described = [], 0
    for email, paths in staff_scene.pages.items():
        client = client_for(email)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            described += html.count("aria-describedby=")
            problems += problems_in(path, html)
    assert problems == []
    assert described >= 30  # the forms do carry help text


def test_error_messages_are_announced_with_their_fields(staff_scene):
    """Posting each form empty shows errors; each is named by its field."""
    forms = {
        MANAGER: [p for p in staff_scene.pages[MANAGER] if p.endswith(("/new/", "/edit/"))],
        CURATOR: [p for p in staff_scene.pages[CURATOR] if "/merge/" in p or p.endswith("/edit/")],
    }
    problems, errors_shown = [], 0
    for email, paths in forms.items():
        client = client_for(email)
        for path in paths:
            response = client.post(path.split("?")[0], {"title": "x" * 400, "name": ""})
            html = response.content.decode()
            errors_shown += html.count('class="errorlist"')
            problems += problems_in(path, html)
    assert problems == []
    assert errors_shown >= 5


def test_a_field_with_help_and_an_error_names_both(staff_scene):
    client = client_for(MANAGER)
    path = next(p for p in staff_scene.pages[MANAGER] if p.endswith("/commitments/new/"))
    html = client.post(path, {"title": "", "kind": "ordinance"}).content.decode()
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'id="id_title_helptext"' in html and 'id="id_title_error"' in html
