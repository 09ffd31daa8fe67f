"""A filter on an array column that Django does not know as a field.

Commitment.theme_ids is kept by triggers (schema.py) and stays out of the model, so
that no save() can write a stale copy of it back. RawSQL would name the table, and break
once the queryset becomes a subquery under another alias (the digest, the theme page's
jurisdictions); this expression takes the alias Django gives the table, and follows it
when the query is relabelled.
"""

from django.db.models import BooleanField, Expression


class Overlaps(Expression):
    """`<table alias>.<column> && ids`: true when the row's array shares an id with ids."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids, alias: str | None = None):
        super().__init__()
        self.column = column
        self.ids = sorted(int(pk) for pk in ids)
        self.alias = alias

    def __repr__(self):
        return f"{self.__class__.__name__}({self.column!r}, {self.ids!r}, alias={self.alias!r})"

    @property
    def identity(self):
        return (self.__class__, self.column, tuple(self.ids), self.alias)

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return []

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        return f"{table}.{connection.ops.quote_name(self.column)} && %s::integer[]", [self.ids]
