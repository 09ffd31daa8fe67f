"""The Spanish catalogue is complete, and the compiled file the site runs on says the same
as the catalogue people edit (README, "Languages")."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

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
