"""get_FOO_display() on the models that lists show many rows of (choice_labels.py) gives
what Django's own implementation gives, in both languages, for every choice and for a
value outside the choices."""

import pytest
from django.db import models
from django.utils import translation

from jurisdictions.models import Commitment, Jurisdiction
from recommendations.choice_labels import ChoiceLabels
from recommendations.models import Recommendation


def choice_fields(model):
    return [f for f in model._meta.concrete_fields if f.choices]


@pytest.mark.parametrize("model", [Recommendation, Commitment, Jurisdiction])
@pytest.mark.parametrize("language", ["en", "es"])
def test_labels_equal_djangos_own_for_every_choice_and_an_unknown_value(model, language):
    assert issubclass(model, ChoiceLabels)
    fields = choice_fields(model)
    assert fields
    with translation.override(language):
        for field in fields:
            for value in [choice for choice, _ in field.flatchoices] + ["not-a-choice"]:
                row = model(**{field.attname: value})
                ours = getattr(row, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(row, field)
                assert ours == django, (field.name, value)


def test_a_spanish_label_is_translated():
    row = Recommendation(response=Recommendation.Response.SUPPORTED)
    with translation.override("es"):
        assert row.get_response_display() != "Supported"
    with translation.override("en"):
        assert row.get_response_display() == "Supported"
