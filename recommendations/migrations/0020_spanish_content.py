"""Spanish versions of the content, and a search vector over them (upr_spanish and the
stock spanish configuration)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


def setup(apps, schema_editor):
    from upr_tracker.dbschema import setup

    setup(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0019_calendar_entry_review_history'),
    ]

    operations = [
        # The generated Spanish search vector needs the upr_spanish configuration.
        migrations.RunPython(setup, migrations.RunPython.noop),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='text_es',
            field=models.TextField(blank=True, verbose_name='text in Spanish'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='text_es',
            field=models.TextField(blank=True, verbose_name='text in Spanish'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_es',
            field=models.CharField(blank=True, max_length=200, verbose_name='name in Spanish'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='search_vector_es',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('text_es', config='upr_spanish', weight=None), '||', django.contrib.postgres.search.SearchVector('text_es', config='spanish', weight=None), django.contrib.postgres.search.SearchConfig('upr_spanish')), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='recommendation',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector_es'], name='recommendations_rec_search_es'),
        ),
    ]
