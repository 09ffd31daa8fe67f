"""Settings come from the environment and refuse values they cannot read."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from upr_tracker import env

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**environ) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL"}
    }
    clean.update(environ)
    code = "import upr_tracker.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_debug_off_without_a_secret_key_is_refused():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_defaults_to_the_embedded_postgresql():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["upr_tracker.embedded_postgres", "True"]


def test_postgres_url_selects_postgresql():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/upr")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL must start with postgres://"),
        ("DATABASE_URL", "postgres://host", "DATABASE_URL must name a database"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL must start with redis://"),
        ("EMAIL_URL", "carrier-pigeon://coop", "EMAIL_URL scheme must be one of"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "soon", "must be a whole number"),
    ],
)
def test_bad_values_stop_start_up_with_a_message_naming_the_variable(name, value, message):
    result = load_settings(**{"DEBUG": "1", name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_redis_url_switches_celery_to_a_real_broker():
    code = (
        "import upr_tracker.settings as s; "
        "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        "redis://127.0.0.1:6379/9",
        "False",
        "upr_tracker.cache.FailSoftRedisCache",  # Django's RedisCache, failing soft
    ]


def test_without_redis_tasks_run_in_process(settings):
    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
    else:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert settings.CELERY_BROKER_URL == "memory://"


def test_smtp_email_url_is_read_into_email_settings(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://mailer:s%40cret@smtp.example.org:587/?tls=1")
    config = env.email_from_url("EMAIL_URL")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s@cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_lists_and_numbers_are_parsed(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "upr.example.org, www.upr.example.org,")
    monkeypatch.setenv("WORKERS", "-1")
    assert env.env_list("ALLOWED_HOSTS", []) == ["upr.example.org", "www.upr.example.org"]
    with pytest.raises(ImproperlyConfigured, match="WORKERS must be at least 0"):
        env.env_int("WORKERS", 2)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),  # truncated by a process that stopped mid-rewrite
        ("[12, 3", []),  # cut short
        ("[999999999]", []),  # a process that no longer exists
        ("[OWN, 999999999]", ["OWN"]),
        ("[OWN]", ["OWN"]),
    ],
)
def test_the_embedded_servers_list_of_users_is_repaired_before_use(tmp_path, text, expected):
    from upr_tracker.embedded_postgres.base import _forget_dead_processes

    own = str(os.getpid())
    path = tmp_path / ".handle_pids.json"
    path.write_text(text.replace("OWN", own))
    _forget_dead_processes(tmp_path)
    assert json.loads(path.read_text()) == [int(own) for _ in expected]
