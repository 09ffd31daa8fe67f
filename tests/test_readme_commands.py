"""Every command the README gives runs as written.

Management commands run through call_command with the README's own arguments; synopsis
lines (with FILE or [--option]) must name a real command and only options it accepts; task
names and dotted paths must exist. The README's command block for demo data and demo
accounts also runs in a shell exactly as printed, on a fresh database, with neither
DEBUG nor SECRET_KEY preset, since that is how a newcomer runs it.
"""

import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Django's own interactive command: it asks for a password on the terminal.
INTERACTIVE = {"createsuperuser"}


def manage_py_commands() -> list[str]:
    """Every `manage.py ...` the README shows, in code blocks or inline code."""
    found = []
    for line in README.splitlines():
        if line.startswith("    ") and "manage.py " in line:
            found.append(line.split("manage.py ", 1)[1].split("#")[0].strip())
    prose = "\n".join(line for line in README.splitlines() if not line.startswith("    "))
    for snippet in re.findall(r"`([^`\n]*manage\.py [^`\n]*)`", prose.replace("\n  ", " ")):
        found.append(snippet.split("manage.py ", 1)[1].strip())
    return found


def is_synopsis(command: str) -> bool:
    return bool(re.search(r"\[|\.\.\.|\b[A-Z]{2,}\b", command))


def data_block() -> list[str]:
    """The shell lines of the first code block under "## Data"."""
    section = README.split("## Data", 1)[1]
    lines, started = [], False
    for line in section.splitlines():
        if line.startswith("    "):
            started = True
            lines.append(line.strip())
        elif started:
            break
    return lines


def test_the_readme_shows_the_commands_a_newcomer_needs():
    names = {shlex.split(c)[0] for c in manage_py_commands()}
    assert {"seed_reference", "seed_demo", "create_demo_users"} <= names
    assert {"import_recommendations", "export_recommendations"} <= names


@pytest.mark.django_db
def test_every_literal_manage_py_command_in_the_readme_runs(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    literal = [c for c in manage_py_commands() if not is_synopsis(c)]
    ran = []
    for command in dict.fromkeys(literal):  # in README order, once each
        name, *args = shlex.split(command)
        assert name in get_commands(), command
        if name in INTERACTIVE:
            continue
        out = io.StringIO()
        call_command(name, *args, stdout=out)
        ran.append(name)
        if name == "create_demo_users":
            assert out.getvalue().count("password: ") == 2
    assert ran[:3] == ["seed_reference", "seed_demo", "create_demo_users"]


def test_every_synopsis_names_a_real_command_and_its_real_options():
    problems = []
    for command in filter(is_synopsis, manage_py_commands()):
        name = command.split()[0]
        if name not in get_commands():
            problems.append(f"no command {name}")
            continue
        parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
        known = {opt for action in parser._actions for opt in action.option_strings}
        problems += [
            f"{name}: {opt}" for opt in re.findall(r"--[\w-]+", command) if opt not in known
        ]
    assert problems == []


def test_every_task_and_dotted_path_in_the_readme_exists():
    from upr_tracker.celery import app

    app.loader.import_default_modules()
    tasks = set(re.findall(r"`((?:recommendations|jurisdictions)\.tasks\.\w+)`", README))
    tasks |= set(re.findall(r"call ((?:recommendations|jurisdictions)\.tasks\.\w+)", README))
    assert tasks and tasks <= set(app.tasks), tasks - set(app.tasks)
    for path in re.findall(r"`((?:recommendations|jurisdictions)\.[\w.]+)\(", README):
        import_string(path)


@pytest.fixture
def fresh_database_url(django_db_blocker):
    """An empty database on the tests' PostgreSQL server, as a URL for a subprocess."""
    import uuid

    import psycopg2
    from django.db import connection

    from tests.helpers import worker_database_url

    name = f"upr_readme_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        params = {**connection.get_connection_params(), "dbname": "postgres"}
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield worker_database_url().rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_data_commands_run_in_a_shell_exactly_as_printed(tmp_path, fresh_database_url):
    lines = data_block()
    assert lines[0] == "export DEBUG=1"
    assert lines[-1].endswith("manage.py create_demo_users")
    python = ".venv/bin/python" if (ROOT / ".venv/bin/python").exists() else sys.executable
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATABASE_URL"] = fresh_database_url
    # What `make run` did before the newcomer turned to the README.
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    script = "set -e\n" + "\n".join(line.replace(".venv/bin/python", python) for line in lines)

    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert "curator@example.org  password: " in result.stdout
    assert "editor@pittsburgh.example.org  password: " in result.stdout
