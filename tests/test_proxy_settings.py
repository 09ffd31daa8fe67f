"""X-Forwarded-Proto is believed only when BEHIND_PROXY says a proxy of ours sets it."""

import os
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, load_settings

pytestmark = pytest.mark.django_db

SHOW = "import upr_tracker.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"


def proxy_header_setting(**environ) -> str:
    """SECURE_PROXY_SSL_HEADER as the settings module computes it from `environ`."""
    skip = {"DATABASE_URL", "REDIS_URL", "DEBUG", "BEHIND_PROXY"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.setdefault("SECRET_KEY", "test-only")
    env.update(environ)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_a_proxy_the_forwarded_proto_header_is_not_trusted():
    assert proxy_header_setting() == "None"
    assert proxy_header_setting(BEHIND_PROXY="0") == "None"


def test_behind_a_proxy_the_forwarded_proto_header_is_trusted():
    assert proxy_header_setting(BEHIND_PROXY="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_bad_behind_proxy_value_stops_start_up():
    result = load_settings(DEBUG="1", BEHIND_PROXY="perhaps")
    assert result.returncode != 0
    assert "BEHIND_PROXY must be one of" in result.stderr


def test_a_client_cannot_claim_https_with_the_header(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")

    # Still plain HTTP to the app, so it is sent to the HTTPS address.
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_behind_a_proxy_the_header_marks_the_request_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_PROXY=1

    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
