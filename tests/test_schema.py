"""The functions and triggers in the database are exactly those the apps' schema.py
modules declare; install() puts back whatever went missing or changed; the facet arrays
those triggers keep can be repaired when they drift."""

import pytest
from django.db import connection

from recommendations import schema
from recommendations.denormalised import repair_arrays
from recommendations.models import Country, Recommendation
from tests import factories
from upr_tracker import dbschema

pytestmark = pytest.mark.django_db


def execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_database_holds_exactly_what_the_code_declares():
    assert dbschema.drift() == []
    declared = {t.name for m in dbschema.schemas() for t in m.TRIGGERS}
    assert {"recommendations_themes_arrays_insert", "recommendations_facetversion_update"} <= (
        declared
    )


def test_a_missing_trigger_is_found_and_put_back():
    trigger = schema.TRIGGERS[0]
    execute(f"DROP TRIGGER {trigger.name} ON {trigger.table}")
    assert dbschema.drift() == [f"trigger {trigger.name} is missing"]
    dbschema.install()
    assert dbschema.drift() == []


def test_a_changed_function_body_is_found_and_put_back():
    function = next(f for f in schema.FUNCTIONS if f.name == "recommendations_sync_arrays")
    execute(
        "CREATE OR REPLACE FUNCTION recommendations_sync_arrays(ids bigint[]) RETURNS void "
        "LANGUAGE sql AS $$ SELECT 1 $$"
    )
    assert dbschema.drift() == [f"function {function.name} differs from its declaration"]
    dbschema.install()
    assert dbschema.drift() == []


def test_a_changed_trigger_definition_is_found_and_put_back():
    trigger = next(t for t in schema.TRIGGERS if t.name == "recommendations_country_regions")
    execute(
        f"CREATE OR REPLACE TRIGGER {trigger.name} AFTER INSERT ON {trigger.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger.function}()"
    )
    assert dbschema.drift() == [f"trigger {trigger.name} differs: " + _definition(trigger.name)]
    dbschema.install()
    assert dbschema.drift() == []


def test_an_undeclared_object_with_an_app_prefix_is_found_and_dropped():
    execute(
        "CREATE FUNCTION recommendations_leftover() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$"
    )
    execute(
        "CREATE TRIGGER recommendations_leftover AFTER DELETE ON recommendations_theme "
        "FOR EACH STATEMENT EXECUTE FUNCTION recommendations_leftover()"
    )
    assert dbschema.drift() == [
        "function recommendations_leftover is not declared",
        "trigger recommendations_leftover is not declared",
    ]
    dbschema.install()
    assert dbschema.drift() == []


def _definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s", [name])
        return cursor.fetchone()[0]


def test_the_link_triggers_keep_the_arrays_and_a_repair_mends_what_bypassed_them(
    reference_data,
):
    theme = factories.theme(name="Housing")
    state = Country.objects.get(iso3="NZL")
    rec = factories.recommendation(text="Guarantee a right to adequate housing.")
    rec.themes.add(theme)
    rec.recommending_countries.add(state)
    rec.refresh_from_db()
    assert (rec.theme_ids, rec.country_ids, rec.regions) == ([theme.pk], [state.pk], ["weog"])
    # A writer that bypasses the triggers (they are off for its transaction) leaves the
    # arrays behind; the nightly repair rewrites exactly the rows that drifted.
    Recommendation.objects.filter(pk=rec.pk).update(theme_ids=[], regions=["eeg"])
    other = factories.recommendation(text="Ratify the Convention on the Rights of the Child.")
    assert repair_arrays() == 1
    rec.refresh_from_db()
    other.refresh_from_db()
    assert (rec.theme_ids, rec.regions) == ([theme.pk], ["weog"])
    assert other.theme_ids == []
    assert repair_arrays() == 0


def test_saving_an_instance_loaded_before_its_links_changed_keeps_the_new_arrays(
    reference_data,
):
    rec = factories.recommendation(text="Guarantee a right to adequate housing.")
    theme = factories.theme(name="Housing")
    loaded = Recommendation.objects.get(pk=rec.pk)  # a curator opens the edit form
    rec.themes.add(theme)  # meanwhile another request tags it
    loaded.text = "Guarantee a right to adequate, affordable housing."
    loaded.save()
    rec.refresh_from_db()
    assert rec.theme_ids == [theme.pk]
    assert rec.text == "Guarantee a right to adequate, affordable housing."
