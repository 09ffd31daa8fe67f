"""PostgreSQL only: the facet arrays become model fields, search a generated column.

- The arrays that migration 0008 added with raw SQL (and their GIN indexes) enter Django's
  state as ArrayFields; the database is unchanged.
- search_vector, kept by a trigger until now, becomes a generated column over the
  upr_english configuration (unaccented English), which schema.py declares.
- The kept facet counts (FacetCount and its triggers) go: the facet index counts instead.
- Stored facet indexes were pickles; they are dropped and rebuilt in the new layout.
- pg_trgm was read by nothing.

Triggers and functions still in use are declared in schema.py and installed after migrate.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import migrations, models

TABLE = "recommendations_recommendation"


def setup(apps, schema_editor):
    from upr_tracker.dbschema import setup

    setup(schema_editor.connection)


DROP_OLD = f"""
DROP TRIGGER IF EXISTS recommendations_recommendation_search ON {TABLE};
DROP FUNCTION IF EXISTS recommendations_recommendation_search_update();
DROP TRIGGER IF EXISTS recommendations_facetcount_insert ON {TABLE};
DROP TRIGGER IF EXISTS recommendations_facetcount_update ON {TABLE};
DROP TRIGGER IF EXISTS recommendations_facetcount_delete ON {TABLE};
DROP FUNCTION IF EXISTS recommendations_facetcount_insert();
DROP FUNCTION IF EXISTS recommendations_facetcount_update();
DROP FUNCTION IF EXISTS recommendations_facetcount_delete();
DROP EXTENSION IF EXISTS pg_trgm;
DELETE FROM recommendations_facetindex;
-- Django allows index names of 30 characters at most.
ALTER INDEX recommendations_rec_country_ids RENAME TO recommendations_rec_countries;
ALTER INDEX recommendations_rec_jurisdiction_ids RENAME TO recommendations_rec_acting;
"""


def array(base):
    return ArrayField(base, default=list, db_default=[], editable=False, size=None)


ARRAYS = [
    ("theme_ids", models.IntegerField(), "recommendations_rec_theme_ids"),
    ("country_ids", models.IntegerField(), "recommendations_rec_countries"),
    ("regions", models.TextField(), "recommendations_rec_regions"),
    ("group_ids", models.IntegerField(), "recommendations_rec_group_ids"),
    ("sdg_codes", models.TextField(), "recommendations_rec_sdg_codes"),
    ("acting_jurisdiction_ids", models.IntegerField(), "recommendations_rec_acting"),
]


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0014_facet_index")]

    operations = [
        migrations.RunPython(setup, migrations.RunPython.noop),
        migrations.RunSQL(DROP_OLD, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="recommendation", name="search_vector"),
        migrations.AddField(
            model_name="recommendation",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=SearchVector("text", config="upr_english"),
                output_field=SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=GinIndex(fields=["search_vector"], name="recommendations_rec_search"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(
                    migrations.AddField(
                        model_name="recommendation", name=name, field=array(base)
                    )
                    for name, base, _ in ARRAYS
                ),
                *(
                    migrations.AddIndex(
                        model_name="recommendation",
                        index=GinIndex(fields=[name], name=index),
                    )
                    for name, _, index in ARRAYS
                ),
            ]
        ),
        migrations.DeleteModel(name="FacetCount"),
    ]
