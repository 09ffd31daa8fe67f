"""The widgets in Chromium as another website shows them: framed inside a page served from
another port, with JavaScript off, 320 px wide, one of them in Spanish while the browser
asks for Spanish; each in the language of its address, free of serious or critical axe
violations and no wider than its frame. And a framed full page stays blank."""

import os
from pathlib import Path

import pytest

from tests.browse_data import build_catalogue
from tests.browser import chromium_page, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/upr-embed-shots"))


@pytest.fixture
def cat(transactional_db):
    return build_catalogue()


def _host_page(frames: list[tuple[str, str, int]]) -> bytes:
    body = "".join(
        f'<h2>{title}</h2><iframe src="{src}" title="{title}" width="320" height="{height}">'
        "</iframe>"
        for title, src, height in frames
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A city site</title>'
        f"</head><body><main><h1>Our human rights work</h1>{body}</main></body></html>"
    ).encode()


def test_each_widget_works_framed_on_another_site_at_320_px(live_server, server, cat):
    base = live_server.url
    widgets = {
        "jurisdiction": (f"{base}/embed/jurisdictions/{cat.pittsburgh.slug}/", 360),
        "recommendation": (f"{base}/embed/r/{cat.abolish.public_id}/", 380),
        "theme": (f"{base}/embed/themes/{cat.death.slug}/", 420),
        "jurisdiction-es": (f"{base}/es/embed/jurisdictions/{cat.pittsburgh.slug}/", 360),
    }
    server.routes["/host.html"] = (
        200,
        _host_page([(name, src, h) for name, (src, h) in widgets.items()]),
        {"Content-Type": "text/html; charset=utf-8"},
    )
    server.routes["/framing-a-page.html"] = (
        200,
        _host_page([("page", f"{base}{cat.pittsburgh.get_absolute_url()}", 300)]),
        {"Content-Type": "text/html; charset=utf-8"},
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The visitor's browser asks for Spanish: only the widget whose address is Spanish is.
    with chromium_page(
        viewport={"width": 360, "height": 1800}, java_script_enabled=False, locale="es-ES"
    ) as page:
        page.goto(server.url("/host.html"))
        page.wait_for_load_state("load")
        for name, (src, _) in widgets.items():
            frame = next(f for f in page.frames if f.url == src)
            heading = frame.locator("h1").inner_text()
            assert heading, name
            language = frame.evaluate("document.documentElement.lang")
            assert language == ("es" if name.endswith("-es") else "en"), name
            scroll, inner = frame.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert inner == 320 and scroll <= inner, f"{name}: {scroll} px in a {inner} px frame"
        page.screenshot(path=str(SHOTS / "host-320.png"), full_page=True)
        expected = {
            "jurisdiction": "Resolution against capital punishment",
            "recommendation": "Pittsburgh",
            "theme": "Pittsburgh",
        }
        for name, text in expected.items():
            frame = next(f for f in page.frames if f.url == widgets[name][0])
            assert text in frame.locator("main").inner_text(), name
        spanish = next(f for f in page.frames if f.url == widgets["jurisdiction-es"][0])
        seen = spanish.locator("main").inner_text()
        for words in ("1 compromiso publicado", "Más recientes", "Adoptado, 01/01/2020"):
            assert words in seen, seen
        assert "Página completa en UPR Tracker" in seen
        for words in ("published", "Latest", "Full page"):
            assert words not in seen, seen
        # Everything else refuses to be framed: Chromium shows its error page instead.
        page.goto(server.url("/framing-a-page.html"))
        page.wait_for_load_state("load")
        framed = page.frames[1]
        assert "Published commitments of" not in framed.content()
        assert not framed.url.startswith(base)

    with chromium_page(viewport={"width": 320, "height": 600}, java_script_enabled=True) as page:
        for name, (src, _) in widgets.items():
            page.goto(src)
            assert serious_axe_violations(page) == [], name
            page.screenshot(path=str(SHOTS / f"{name}-320.png"), full_page=True)


def test_the_data_page_is_axe_clean_and_fits_a_phone(live_server, settings, tmp_path, cat):
    from opendata import bulk

    settings.OPEN_DATA_DIR = tmp_path / "opendata"
    bulk.build()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(viewport={"width": 320, "height": 700}) as page:
        for path, name in (("/data/", "data"), (cat.pittsburgh.get_absolute_url(), "page")):
            page.goto(live_server.url + path)
            if name == "page":
                page.locator("details.embed-this summary").click()
                _choose_each_language(page)
            assert serious_axe_violations(page) == [], path
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, f"{path}: {scroll} px wide"
            page.screenshot(path=str(SHOTS / f"{name}-320.png"), full_page=True)


def _choose_each_language(page):
    """The "Embed this" box shows the code of the language chosen, without a script."""
    english = page.locator('.embed-snippet[data-language="en"] textarea')
    spanish = page.locator('.embed-snippet[data-language="es"] textarea')
    assert english.is_visible() and not spanish.is_visible()
    assert 'src="http://' in english.input_value() and "/embed/jurisdictions/" in (
        english.input_value()
    )
    page.get_by_role("radio", name="Spanish").check()
    assert spanish.is_visible() and not english.is_visible()
    assert "/es/embed/jurisdictions/" in spanish.input_value()
    page.get_by_role("radio", name="English").check()
    assert english.is_visible() and not spanish.is_visible()
    assert "/es/" not in english.input_value()
