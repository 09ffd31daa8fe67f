"""Debian's Chromium driven by Playwright, shared by the browser tests."""

import os
import re
from contextlib import contextmanager

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (building data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The live server speaks plain HTTP; stop Chromium from trying HTTPS first.
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
]


@contextmanager
def chromium_page(**context_options):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**context_options)
            yield context.new_page()
        finally:
            browser.close()


def serious_axe_violations(page) -> list[str]:
    """What axe-core finds serious or critical on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def check_facet(page, name, label):
    """Tick a filter value (`label`, shown with its count); with JavaScript the form
    submits itself and the URL follows."""
    pattern = re.compile("^" + re.escape(label) + r" \(?\d+\)? results?$")
    box = page.locator(f'input[name="{name}"]').and_(page.get_by_role("checkbox", name=pattern))
    details = page.locator("details.facet", has=box)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    with page.expect_navigation():
        box.check()


def sign_in(page, base, email, password):
    """Sign in on the allauth form and wait to be taken off it."""
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
