"""Every filter's label is its own, whatever ran before: django-filter derives a missing
label from the model on first use and caches it on the class's filter, so reading a
field before a queryset was bound (the API schema does) used to leave later forms with
no label ("Cycle: Cycle 3" in the report builder's chips) or "[invalid name]"."""

import pytest
from django.http import QueryDict

from jurisdictions.filters import CommitmentFilter, JurisdictionFilter
from recommendations.filters import CountryFilter, RecommendationFilter

pytestmark = pytest.mark.django_db

FILTERSETS = [RecommendationFilter, CommitmentFilter, JurisdictionFilter, CountryFilter]


def read_class_fields(filterset_class):
    """What drf-spectacular's schema generation does: build each class filter's field."""
    return [class_filter.field for class_filter in filterset_class.base_filters.values()]


def labels(filterset_class):
    form = filterset_class(QueryDict(""), queryset=None).form
    return {name: form.fields[name].label for name in filterset_class.base_filters}


@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda c: c.__name__)
def test_every_filter_keeps_a_readable_label_after_its_class_fields_were_read(filterset_class):
    before = labels(filterset_class)
    read_class_fields(filterset_class)
    after = labels(filterset_class)
    assert after == before
    assert all(label and "[invalid name]" not in label for label in after.values()), after


def test_the_report_builder_names_a_removed_cycle_and_theme_by_their_labels(db):
    from jurisdictions.reports.builder import filter_chips
    from tests import factories

    housing = factories.theme(vocabulary="upr_info", name="Right to housing")
    read_class_fields(RecommendationFilter)
    chips = [chip["label"] for chip in filter_chips(f"cycle=3&theme={housing.slug}")]
    assert chips == ["Review cycle: Cycle 3", "Theme: Right to housing"]
