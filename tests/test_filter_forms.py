"""Every value a filter form's own controls can send is accepted: the forms are read from
the rendered page, submitted as a browser would (every control, defaults included) with
one control changed at a time, and no page may show an error message."""

from html.parser import HTMLParser

import pytest

from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db

ERROR_SIGNS = ["message error", "Select a valid choice", "not recognised", "errorlist"]


class FilterForm(HTMLParser):
    """The controls of the first GET form marked data-filter-form: name, the value a
    browser sends by default, and every value the control can send."""

    def __init__(self):
        super().__init__()
        self.controls = []  # (name, default values, possible values)
        self._in_form = False
        self._done = False
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-filter-form" in a and not self._done:
            self._in_form = True
        if not self._in_form or "name" not in a and tag not in {"option"}:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                value = a.get("value", "on")
                default = [value] if "checked" in a else []
                self.controls.append((a["name"], default, [value], kind))
            elif kind == "number":
                self.controls.append(
                    (a["name"], [a.get("value", "")], ["", a.get("min"), a.get("max")], kind)
                )
            elif kind in {"text", "search"}:
                self.controls.append((a["name"], [a.get("value", "")], ["", "police"], kind))
        elif tag == "select":
            self._select = [a["name"], [], [], "select"]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[2].append(value)
            if "selected" in a or not self._select[1]:
                self._select[1] = [value]

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.controls.append(tuple(self._select))
            self._select = None
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def read_form(html: str) -> list:
    parser = FilterForm()
    parser.feed(html)
    assert parser.controls, "no filter form found"
    return parser.controls


def submissions(controls):
    """The browser's default submission, then each possible value of each control."""

    def base():
        data: dict[str, list[str]] = {}
        for name, default, _values, kind in controls:
            if kind in {"checkbox", "radio"}:
                data.setdefault(name, []).extend(default)
            else:
                data.setdefault(name, []).extend(default)
        return data

    yield base()
    for index, (name, _default, values, kind) in enumerate(controls):
        for value in values:
            if value is None:
                continue
            data = base()
            if kind == "checkbox":
                data.setdefault(name, []).append(value)
            else:
                # Replace this control's own default (select, radio group, text box).
                others = [c for i, c in enumerate(controls) if c[0] == name and i != index]
                data[name] = [v for c in others if c[3] == "checkbox" for v in c[1]] + [value]
            yield data


@pytest.mark.parametrize("path", ["/commitments/", "/jurisdictions/", "/recommendations/"])
def test_no_value_a_filter_control_can_send_shows_an_error(client, path):
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    build_catalogue()
    controls = read_form(client.get(path).content.decode())
    tried = 0
    for data in submissions(controls):
        response = client.get(path, data)
        assert response.status_code == 200, data
        html = response.content.decode()
        for sign in ERROR_SIGNS:
            assert sign not in html, (data, sign)
        tried += 1
    assert tried > 20


def test_the_state_menus_list_each_place_once(client):
    from jurisdictions.filters import state_choices

    codes = [code for code, _ in state_choices()]
    assert len(codes) == len(set(codes))
    assert [name for _, name in state_choices()].count("District of Columbia") == 1
    html = client.get("/commitments/").content.decode()
    assert html.count(">District of Columbia</option>") == 1
