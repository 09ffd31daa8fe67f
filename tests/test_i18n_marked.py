"""Every user-visible string is marked for translation, so the Spanish pages have no
English left in their interface.

One case per template and per Python module, so a failure names its file and the strings
in it: templates are read with Django's own template lexer (text outside `translate` and
`blocktranslate`, and the attributes people see or hear), Python modules with `ast` (the
strings handed to labels, help texts, verbose names, choices, messages and errors).
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
# This project's apps (not the installed packages'), and the project package itself.
PROJECT_APPS = sorted(
    {
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(ROOT) and "site-packages" not in Path(app.path).parts
    }
    | {ROOT / "upr_tracker"}
)
TEMPLATES = sorted(
    p
    for folder in [ROOT / "templates", *(app / "templates" for app in PROJECT_APPS)]
    for p in folder.rglob("*")
    if p.suffix in (".html", ".txt") and p.is_file()
)
PYTHON = sorted(
    p
    for app in PROJECT_APPS
    for p in app.rglob("*.py")
    # Migrations freeze old labels; commands talk to operators in a terminal.
    if "migrations" not in p.parts and "management" not in p.parts
)

# Words that stay as they are in every language: names and formats. Anything else with
# two letters in a row is English someone forgot to mark.
ALLOWED = re.compile(
    r"UPR Tracker|UPR Info|UHRI|OpenAPI|BibTeX|CSL-JSON|CSV|JSON|RIS|PDF|Word|Atom|API"
    r"|CC BY 4\.0|SHA-256|manifest\.json"  # a licence, a checksum, a file name
    r"|English|Español"  # each language's name in that language (the switcher)
)
LETTERS = re.compile(r"[A-Za-z]{2,}")
# Attributes a person reads or hears; the others (class, href, name...) are code.
SPOKEN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-roledescription"}
MARKED = "\x01"  # what a translate tag or a variable leaves in the text


def unmarked_template_text(source: str) -> list[str]:
    """The pieces of a template's text that reach people without being translated."""
    kept = []
    depth = 0  # inside blocktranslate ... endblocktranslate, or a comment block
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
                kept.append(MARKED)
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth -= 1
            elif name in ("translate", "trans") and not depth:
                kept.append(MARKED)
            elif not depth:
                kept.append(" ")
        elif token.token_type == TokenType.VAR and not depth:
            kept.append(MARKED)
        elif token.token_type == TokenType.TEXT and not depth:
            kept.append(token.contents)
    reader = _VisibleText()
    reader.feed("".join(kept))
    reader.close()
    return [text for text in reader.found if LETTERS.search(ALLOWED.sub("", text))]


class _VisibleText(HTMLParser):
    """Text nodes and spoken attributes, less scripts, styles and code samples."""

    HIDDEN = {"script", "style", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        for name, value in attrs:
            if name in SPOKEN_ATTRIBUTES and value:
                self.found.append(value.replace(MARKED, " ").strip())
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.found.append(value.replace(MARKED, " ").strip())

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.replace(MARKED, " ").split())
        if text and not self.hidden:
            self.found.append(text)


GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
LABEL_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
ERRORS = {"ValidationError", "Http404", "HttpResponseBadRequest", "PermissionDenied"}
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
MESSAGE_FUNCTIONS = {"debug", "info", "success", "warning", "error", "add_message"}


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_text(node) -> bool:
    """A literal string (or f-string) with words in it, not passed through gettext."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTERS.search(ALLOWED.sub("", node.value)))
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.Dict):
        return any(_is_text(v) for v in node.values)
    return False


def unmarked_python_text(source: str) -> list[str]:
    """Strings a page, form, message or error shows, written without gettext."""
    found = []

    def flag(node):
        if _is_text(node):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:100]}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in GETTEXT:
                continue
            for keyword in node.keywords:
                if keyword.arg in LABEL_KEYWORDS:
                    flag(keyword.value)
            if called in ERRORS and node.args:
                flag(node.args[0])
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            if called in MESSAGE_FUNCTIONS and _name(owner) == "messages" and len(node.args) > 1:
                flag(node.args[-1] if called != "add_message" else node.args[2])
            # A model field's first argument is its verbose name (a relation's is its model).
            if called.endswith("Field") and called not in RELATIONS and node.args:
                flag(node.args[0])
        elif isinstance(node, ast.ClassDef):
            bases = {_name(base) for base in node.bases}
            choices = bases & {"TextChoices", "IntegerChoices", "Choices"}
            for statement in node.body:
                if not isinstance(statement, ast.Assign):
                    continue
                value = statement.value
                if choices and isinstance(value, ast.Tuple) and len(value.elts) > 1:
                    flag(value.elts[-1])
                targets = {_name(t) for t in statement.targets}
                if targets & {"verbose_name", "verbose_name_plural"}:
                    flag(value)
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_template_string_is_marked_for_translation(path):
    assert unmarked_template_text(path.read_text()) == []


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_string_people_see_is_marked_for_translation(path):
    assert unmarked_python_text(path.read_text()) == []


def test_the_template_check_finds_what_it_should():
    """The check itself: plain text, spoken attributes and text between tags count; marked
    text, variables, code samples, scripts and names do not."""
    source = (
        '{% load i18n %}<p title="Open it">Hello {{ name }}</p>{% if x %}Bye{% endif %}'
        '<p>{% translate "Marked" %}</p>{% blocktranslate %}Also {{ n }}{% endblocktranslate %}'
        "<code>{&quot;error&quot;: 1}</code><script>var words = 1;</script>"
        '<a href="/x/" class="button">CSV</a> · <span aria-label="{% translate "Ok" %}">✕</span>'
    )
    assert unmarked_template_text(source) == ["Open it", "Hello", "Bye"]


def test_the_python_check_finds_what_it_should():
    source = """
class Status(models.TextChoices):
    DONE = "done", "Done"
    OPEN = "open", _("Open")

class F(forms.Form):
    name = forms.CharField(label="Name", help_text=_("Who"))

def view(request):
    messages.success(request, f"Saved {x}.")
    messages.info(request, gettext("Fine."))
    raise Http404("No such page.")
"""
    assert [line.split(":", 1)[1].strip() for line in unmarked_python_text(source)] == [
        "'Done'",
        "'Name'",
        "f'Saved {x}.'",
        "'No such page.'",
    ]
