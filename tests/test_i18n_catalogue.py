"""The Spanish catalogue is complete, and the compiled file the site runs on says the same
as the catalogue people edit (README, "Languages")."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.test_i18n_marked import PYTHON, TEMPLATES

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%%")


def entries(catalogue) -> dict:
    """{(context, text, plural text): translation(s)} of every real entry."""
    found = {}
    for entry in catalogue:
        if not entry.msgid or entry.obsolete:
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        if entry.msgid_plural:
            found[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            found[key] = entry.msgstr
    return found


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(CATALOGUE))


def test_every_entry_is_translated(po):
    assert [e.msgid for e in po.untranslated_entries()] == []


def test_no_entry_is_fuzzy(po):
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


def test_the_compiled_catalogue_matches_the_catalogue(po):
    """A .po edited without running compilemessages would show its old Spanish."""
    assert entries(polib.mofile(str(COMPILED))) == entries(po)


def test_translations_keep_every_placeholder(po):
    for entry in po:
        if not entry.msgid:
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            # The singular may leave the count out ("Its one dated commitment").
            assert set(PLACEHOLDER.findall(text)) <= set(wanted), entry.msgid
            if not entry.msgid_plural:
                assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_spanish_has_two_plural_forms_as_the_catalogue_says(po):
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    with translation.override("es"):
        assert translation.ngettext("{n} result", "{n} results", 1) == "{n} resultado"
        assert translation.ngettext("{n} result", "{n} results", 0) == "{n} resultados"


# What the code marks must be in the catalogue: a string marked after the last
# `make messages` (or inside an f-string, where xgettext never looks) shows in English.
ROOT = Path(settings.BASE_DIR)
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
WITH_CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?"""
)


def marked_in_python(source: str) -> set:
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        texts = [a.value if isinstance(a, ast.Constant) else None for a in node.args[:2]]
        if name in SINGULAR and isinstance(texts[0], str):
            found.add((None, texts[0], None))
        elif name in WITH_CONTEXT and len(texts) == 2 and None not in texts:
            found.add((texts[0], texts[1], None))
        elif name in PLURAL and len(texts) == 2 and None not in texts:
            found.add((None, texts[0], texts[1]))
    return found


def marked_in_template(source: str) -> set:
    return {
        (match[3] or None, match[1], None) for match in TRANSLATE_TAG.findall(source) if match[1]
    }


SOURCES = TEMPLATES + PYTHON


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_marked_string_is_in_the_catalogue(po, path):
    source = path.read_text()
    marked = marked_in_python(source) if path.suffix == ".py" else marked_in_template(source)
    known = set(entries(po))
    assert sorted(marked - known, key=str) == []


def test_the_catalogue_check_sees_calls_inside_f_strings():
    source = "x = f\"<li>{gettext('Hidden from xgettext')}</li>\""
    assert marked_in_python(source) == {(None, "Hidden from xgettext", None)}


# The scripts' strings (static/js/*.js) come from their own catalogue, djangojs, which the
# pages load from /jsi18n/ (/es/jsi18n/ in Spanish) before the scripts run.
SCRIPTS_CATALOGUE = CATALOGUE.with_name("djangojs.po")
SCRIPT_STRING = re.compile(r"""\bgettext\((["'])(.*?)\1\)""")


def test_the_scripts_catalogue_is_translated_compiled_and_complete():
    scripts = polib.pofile(str(SCRIPTS_CATALOGUE))
    assert [e.msgid for e in scripts.untranslated_entries() + scripts.fuzzy_entries()] == []
    assert entries(polib.mofile(str(SCRIPTS_CATALOGUE.with_suffix(".mo")))) == entries(scripts)
    marked = {
        (None, match[1], None)
        for path in (ROOT / "static" / "js").glob("*.js")
        for match in SCRIPT_STRING.findall(path.read_text())
    }
    assert marked and sorted(marked - set(entries(scripts)), key=str) == []


def test_the_scripts_speak_spanish_under_es(client):
    answer = client.get("/es/jsi18n/")
    assert answer.status_code == 200
    assert "Escriba para acotar" in answer.content.decode()
    assert "Escriba para acotar" not in client.get("/jsi18n/").content.decode()
