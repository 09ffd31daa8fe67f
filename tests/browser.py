"""Debian's Chromium driven by Playwright, shared by the browser tests."""

import os
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
