"""Production settings pass `check --deploy` and send the security headers staff pages need."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_reports_no_warning_with_production_environment():
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL"}
        and not k.startswith("SECURE_")
        # Set by the browser tests for Playwright; never set in a deployment.
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_passes_in_process_with_production_overrides(settings, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(60)
    settings.ALLOWED_HOSTS = ["example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    out = io.StringIO()
    # Raises SystemCheckError on any warning; the message confirms the clean result.
    call_command("check", "--deploy", fail_level="WARNING", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content


@pytest.mark.django_db
def test_public_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "password1": "x8!kq-long-pw",
            "password2": "x8!kq-long-pw",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="stranger@example.org").exists()
    assert response.status_code in {200, 403}


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_link(client):
    from django.core import mail

    from tests import factories as f

    f.user(email="forgetful@pittsburgh.example")

    response = client.post(
        reverse("account_reset_password"), {"email": "forgetful@pittsburgh.example"}
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_admin_signs_in_and_its_pages_need_no_inline_script(client):
    from tests import factories as f

    f.admin_user(username="root", email="root@example.org", password="admin-pass-2024!")

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "admin-pass-2024!"},
    )
    assert response.status_code == 302
    for url in ["/admin/", "/admin/jurisdictions/membership/add/"]:
        page = client.get(url)
        assert page.status_code == 200
        assert b"<script>" not in page.content
