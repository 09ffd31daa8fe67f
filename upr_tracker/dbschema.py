"""Database functions and triggers declared in code, installed idempotently, and checked.

Each app lists the functions and triggers it keeps live in its own `schema.py`: `PREFIX`
(the app's label and "_"), `FUNCTIONS`, `TRIGGERS`, `SEARCH_CONFIGS` (text search
configurations, with the extensions their dictionaries come from) and `SETUP` (other
idempotent statements, run first). Names start with a declared prefix. After every `migrate`,
`install()` brings the database to the declaration: `CREATE OR REPLACE` for what is
declared, `DROP` for an object with the app's prefix that is no longer declared. So a
change to a trigger is a change to its declaration, never an edit of a migration that has
landed, and a database migrated at any point ends up with the same objects.
`drift()` says how the database differs from the declaration; a test and the nightly job
read it.
"""

from dataclasses import dataclass

from django.db import connection as default_connection

# PostgreSQL cuts longer names, and the cut name would never match its declaration.
MAX_NAME = 63


@dataclass(frozen=True)
class Function:
    name: str
    body: str
    returns: str = "trigger"
    arguments: str = ""  # as PostgreSQL prints them: "ids bigint[]"
    language: str = "plpgsql"

    def __post_init__(self):
        assert len(self.name) <= MAX_NAME, f"{self.name} is longer than {MAX_NAME} bytes"

    def sql(self) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {self.name}({self.arguments}) RETURNS {self.returns} "
            f"LANGUAGE {self.language} AS $body${self.body}$body$"
        )


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    when: str  # "AFTER INSERT", "BEFORE INSERT OR UPDATE OF text"
    function: str
    referencing: str = ""  # "NEW TABLE AS new_rows"
    each: str = "STATEMENT"

    def __post_init__(self):
        assert len(self.name) <= MAX_NAME, f"{self.name} is longer than {MAX_NAME} bytes"

    def definition(self) -> str:
        """The definition exactly as pg_get_triggerdef() prints it."""
        referencing = f" REFERENCING {self.referencing}" if self.referencing else ""
        return (
            f"CREATE TRIGGER {self.name} {self.when} ON public.{self.table}{referencing} "
            f"FOR EACH {self.each} EXECUTE FUNCTION {self.function}()"
        )

    def sql(self) -> str:
        return self.definition().replace("CREATE TRIGGER", "CREATE OR REPLACE TRIGGER", 1)


@dataclass(frozen=True)
class SearchConfig:
    """A text search configuration: a copy of a built-in one whose words go through
    `dictionaries` in order ("unaccent" first: accents never matter)."""

    name: str
    copy: str  # "pg_catalog.english"
    dictionaries: tuple  # ("unaccent", "english_stem")
    extensions: tuple = ("unaccent",)
    TOKENS = "hword, hword_part, word"

    def sql(self) -> list[str]:
        create = (
            f"CREATE TEXT SEARCH CONFIGURATION {self.name} (COPY = {self.copy}); "
            f"ALTER TEXT SEARCH CONFIGURATION {self.name} ALTER MAPPING FOR {self.TOKENS} "
            f"WITH {', '.join(self.dictionaries)};"
        )
        return [
            *(f"CREATE EXTENSION IF NOT EXISTS {name}" for name in self.extensions),
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = "
            f"'{self.name}') THEN {create} END IF; END $$",
        ]


def schemas() -> list:
    """The `schema` modules of the installed apps that have one."""
    from django.apps import apps
    from django.utils.module_loading import import_module, module_has_submodule

    return [
        import_module(f"{app.name}.schema")
        for app in apps.get_app_configs()
        if module_has_submodule(app.module, "schema")
    ]


def _declared():
    modules = schemas()
    functions = {f.name: f for m in modules for f in m.FUNCTIONS}
    triggers = {t.name: t for m in modules for t in m.TRIGGERS}
    return modules, functions, triggers


def _found(cursor, prefixes):
    """({function name: (arguments, result, language, body)}, {trigger name: (definition,
    table)}) of the objects in the public schema whose names start with a prefix."""
    cursor.execute(
        "SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), "
        "l.lanname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_language l ON l.oid = p.prolang WHERE n.nspname = 'public' "
        "AND EXISTS (SELECT FROM unnest(%s::text[]) AS x WHERE starts_with(p.proname, x))",
        [prefixes],
    )
    functions = {name: tuple(rest) for name, *rest in cursor.fetchall()}
    cursor.execute(
        "SELECT t.tgname, pg_get_triggerdef(t.oid), c.relname FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND NOT t.tgisinternal "
        "AND EXISTS (SELECT FROM unnest(%s::text[]) AS x WHERE starts_with(t.tgname, x))",
        [prefixes],
    )
    triggers = {name: (definition, table) for name, definition, table in cursor.fetchall()}
    return functions, triggers


def _search_config_problems(cursor, modules) -> list[str]:
    problems = []
    for config in (c for m in modules for c in getattr(m, "SEARCH_CONFIGS", [])):
        for extension in config.extensions:
            cursor.execute("SELECT FROM pg_extension WHERE extname = %s", [extension])
            if cursor.fetchone() is None:
                problems.append(f"extension {extension} is missing")
        # The dictionaries a plain word goes through, in order.
        cursor.execute(
            "SELECT array_agg(d.dictname::text ORDER BY m.mapseqno) FROM pg_ts_config c "
            "JOIN pg_ts_config_map m ON m.mapcfg = c.oid JOIN pg_ts_dict d ON d.oid = m.mapdict "
            "WHERE c.cfgname = %s AND m.maptokentype = "
            "(SELECT tokid FROM ts_token_type('default') WHERE alias = 'word')",
            [config.name],
        )
        found = cursor.fetchone()[0]
        if found is None:
            problems.append(f"text search configuration {config.name} is missing")
        elif tuple(found) != config.dictionaries:
            problems.append(
                f"text search configuration {config.name} maps words to {', '.join(found)}"
            )
    return problems


def drift(connection=None) -> list[str]:
    """What differs between the database and the declarations, one line each; empty when
    they agree."""
    connection = connection or default_connection
    modules, declared_functions, declared_triggers = _declared()
    with connection.cursor() as cursor:
        functions, triggers = _found(cursor, [m.PREFIX for m in modules])
        problems = _search_config_problems(cursor, modules)
    for name, function in declared_functions.items():
        expected = (function.arguments, function.returns, function.language, function.body)
        if name not in functions:
            problems.append(f"function {name} is missing")
        elif functions[name] != expected:
            problems.append(f"function {name} differs from its declaration")
    problems += [
        f"function {name} is not declared" for name in functions.keys() - declared_functions
    ]
    for name, trigger in declared_triggers.items():
        if name not in triggers:
            problems.append(f"trigger {name} is missing")
        elif triggers[name][0] != trigger.definition():
            problems.append(f"trigger {name} differs: {triggers[name][0]}")
    problems += [f"trigger {name} is not declared" for name in triggers.keys() - declared_triggers]
    return sorted(problems)


def install(connection=None, **kwargs) -> None:
    """Brings the database to the declarations: each module's SETUP statements, functions
    (triggers name them), then triggers; what carries a prefix but is no longer declared
    is dropped. Also a post_migrate receiver, hence **kwargs."""
    connection = connection or default_connection
    modules, declared_functions, declared_triggers = _declared()
    setup(connection)
    with connection.cursor() as cursor:
        functions, triggers = _found(cursor, [m.PREFIX for m in modules])
        for name, (_, table) in sorted(triggers.items()):
            if name not in declared_triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        for function in declared_functions.values():
            cursor.execute(function.sql())
        for trigger in declared_triggers.values():
            cursor.execute(trigger.sql())
        for name, (arguments, *_) in sorted(functions.items()):
            if name not in declared_functions:
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"({arguments})')


def setup(connection=None) -> None:
    """Creates every module's text search configurations (and their extensions) and runs
    its SETUP statements: a migration whose columns need them calls this first."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for module in schemas():
            for config in getattr(module, "SEARCH_CONFIGS", []):
                for statement in config.sql():
                    cursor.execute(statement)
            for statement in getattr(module, "SETUP", []):
                cursor.execute(statement)
