"""Full-text search of recommendation text on SQLite (the embedded default), with FTS5.

PostgreSQL searches a tsvector column with websearch syntax. On SQLite an FTS5 table
mirrors the text (kept in sync by triggers) and the same syntax is translated: words must
all match, "quoted phrases" match as phrases, OR between terms matches either, and a
leading minus leaves out what matches. Results are ranked by bm25.
"""

import re
from dataclasses import dataclass, field

from django.db.models.expressions import RawSQL

TABLE = "recommendations_recommendation_fts"
SOURCE = "recommendations_recommendation"

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(text, content='{SOURCE}', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON {SOURCE} BEGIN "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON {SOURCE} BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF text ON {SOURCE} BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
]
TRIGGERS = {f"{TABLE}_insert", f"{TABLE}_delete", f"{TABLE}_update"}


def ensure_index(connection) -> bool:
    """Creates the FTS5 table and its triggers where they are missing and rebuilds the
    index then. Run by the migration and after every migrate: SQLite rebuilds a table to
    alter it, and the rebuild drops the triggers on the old table. Returns whether it
    had to repair anything."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if TABLE in present and TRIGGERS <= present:
            return False
        for statement in CREATE:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return True


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass
class ParsedQuery:
    groups: list[list[str]] = field(default_factory=list)  # AND of ORs of terms
    excluded: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """Every positive word or phrase, for highlighting."""
        return [term for group in self.groups for term in group]


def parse(text: str) -> ParsedQuery:
    """The websearch reading of a query: terms, "phrases", OR, -excluded."""
    parsed = ParsedQuery()
    join_next = False
    for match in _TOKEN.finditer(text):
        minus, phrase, word = match.groups()
        if word is not None:
            if word.upper() == "OR" and parsed.groups:
                join_next = True
                continue
            minus, term = ("-", word[1:]) if word.startswith("-") else ("", word)
        else:
            term = phrase
        term = " ".join(re.findall(r"\w+", term))
        if not term:
            continue
        if minus:
            parsed.excluded.append(term)
        elif join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        join_next = False
    return parsed


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(groups: list[list[str]]) -> str:
    return " AND ".join("(" + " OR ".join(_quoted(t) for t in group) + ")" for group in groups)


def _matching(expression: str) -> RawSQL:
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])


def search(queryset, text: str):
    parsed = parse(text)
    if parsed.groups:
        queryset = queryset.filter(id__in=_matching(match_expression(parsed.groups)))
    if parsed.excluded:
        queryset = queryset.exclude(id__in=_matching(match_expression([parsed.excluded])))
    return queryset


def rank(text: str) -> RawSQL | None:
    """bm25 of each row against the positive terms: lower is a better match."""
    parsed = parse(text)
    if not parsed.groups:
        return None
    return RawSQL(
        f"(SELECT bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH %s "
        f"AND {TABLE}.rowid = {SOURCE}.id)",
        [match_expression(parsed.groups)],
    )


def highlight_pattern(text: str) -> re.Pattern | None:
    """A pattern marking the positive terms in (escaped) text: each word and the forms
    stemming gives it (police, policing), each phrase with any spacing."""
    terms = parse(text).terms
    if not terms:
        return None
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        words = [re.escape(_stem(w)) + r"\w*" for w in term.split()]
        parts.append(r"\b" + r"\W+".join(words))
    return re.compile("|".join(parts), re.IGNORECASE)


def _stem(word: str) -> str:
    # A rough stem for highlighting only; matching itself uses FTS5's Porter stemmer.
    for suffix in ("ing", "es", "ed", "e", "s"):
        if len(word) > len(suffix) + 3 and word.lower().endswith(suffix):
            return word[: -len(suffix)]
    return word
