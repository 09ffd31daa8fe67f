"""Spanish versions of the content, and a search vector over them (upr_spanish and the
stock spanish configuration)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models


def setup(apps, schema_editor):
    from upr_tracker.dbschema import setup

    setup(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('jurisdictions', '0019_languages_of_mail_and_reports'),
        ('recommendations', '0020_spanish_content'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The generated Spanish search vector needs the upr_spanish configuration.
        migrations.RunPython(setup, migrations.RunPython.noop),
        migrations.AddField(
            model_name='commitment',
            name='summary_es',
            field=models.TextField(blank=True, verbose_name='summary in Spanish'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='title_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='title in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='summary_es',
            field=models.TextField(blank=True, verbose_name='summary in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='title_es',
            field=models.CharField(blank=True, max_length=300, verbose_name='title in Spanish'),
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='summary_es',
            field=models.TextField(blank=True, verbose_name='what happened, in Spanish'),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='summary_es',
            field=models.TextField(blank=True, verbose_name='what happened, in Spanish'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='search_vector_es',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_es', config='upr_spanish', weight='A'), '||', django.contrib.postgres.search.SearchVector('summary_es', config='upr_spanish', weight='B'), django.contrib.postgres.search.SearchConfig('upr_spanish')), '||', django.contrib.postgres.search.SearchVector('title_es', config='spanish', weight='A'), django.contrib.postgres.search.SearchConfig('upr_spanish')), '||', django.contrib.postgres.search.SearchVector('summary_es', config='spanish', weight='B'), django.contrib.postgres.search.SearchConfig('upr_spanish')), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='commitment',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector_es'], name='jurisdictions_com_search_es'),
        ),
    ]
