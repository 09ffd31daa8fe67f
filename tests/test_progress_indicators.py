"""Indicators: the progress computation, their review flow, and the commitment page's
bar, status history and milestones; a commitment's status on a past date."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jurisdictions.models import Commitment, Indicator, Measurement
from jurisdictions.moderation import approve_update, submission_state
from tests import factories as f

pytestmark = pytest.mark.django_db


def _progress(indicator):
    return Indicator.objects.get(pk=indicator.pk).progress()


# --- The computation -------------------------------------------------------------------


def test_without_a_measurement_there_is_no_progress_and_the_page_says_so(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(commitment)
    f.measurement(indicator, publication="draft", value=250)

    assert _progress(indicator) is None
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "No measurement published yet, so no progress is shown." in page
    assert "of the way" not in page


def test_progress_is_the_share_of_the_way_from_baseline_to_target(pittsburgh):
    indicator = f.indicator(f.commitment(jurisdiction=pittsburgh))  # 100 -> 300
    f.measurement(indicator, measured_on=date(2021, 1, 1), value=130)
    f.measurement(indicator, measured_on=date(2022, 1, 1), value=175)

    progress = _progress(indicator)

    # The latest measurement counts: 75 of the 200 to go.
    assert progress.value == Decimal("175")
    assert progress.share == pytest.approx(75 / 200)
    assert progress.percent == 38
    assert not progress.reached and not progress.after_target_date


def test_a_reached_target_shows_a_full_bar(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(commitment)
    f.measurement(indicator, measured_on=date(2024, 6, 1), value=300)

    progress = _progress(indicator)

    assert (progress.share, progress.percent, progress.reached) == (1.0, 100, True)
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "100% of the way" in page and "Target reached." in page
    assert 'class="fill" width="100%"' in page


def test_a_decreasing_indicator_counts_a_fall_as_progress(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(
        commitment,
        name="People sleeping outside",
        unit="people",
        direction="down",
        baseline_value=Decimal("800"),
        target_value=Decimal("200"),
    )
    f.measurement(indicator, measured_on=date(2022, 3, 1), value=Decimal("650"))

    progress = _progress(indicator)

    # 150 of the 600 to lose.
    assert progress.share == pytest.approx(0.25)
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "25% of the way" in page
    assert "Baseline 800 people (2020-01-01), target 200 people by 2024-12-31" in page

    f.measurement(indicator, measured_on=date(2023, 3, 1), value=Decimal("860"))
    worse = _progress(indicator)
    assert worse.share == pytest.approx(-0.1)
    assert (worse.percent, worse.went_backwards) == (0, True)


def test_a_measurement_past_the_target_date_is_flagged_and_the_bar_is_capped(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(commitment)  # target 300 by 2024-12-31
    f.measurement(indicator, measured_on=date(2025, 3, 1), value=Decimal("340"))

    progress = _progress(indicator)

    assert progress.after_target_date
    assert progress.share == pytest.approx(1.2)
    assert (progress.percent, progress.raw_percent) == (100, 120)
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "Past the target (120% of the way)." in page
    assert "Measured after the target date." in page


def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh)
    wrong = Indicator(
        commitment=commitment,
        name="Trees planted",
        direction="up",
        baseline_value=10,
        baseline_date=date(2020, 1, 1),
        target_value=5,
        target_date=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert "target must be above the baseline" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


# --- The review flow -------------------------------------------------------------------


def _editor_adds_indicator_with_measurements(client, commitment):
    client.post(
        reverse("staff:indicator-create", args=[commitment.pk]),
        {
            "name": "Lead pipes replaced",
            "unit": "pipes",
            "direction": "up",
            "baseline_value": "0",
            "baseline_date": "2019-01-01",
            "target_value": "4000",
            "target_date": "2026-12-31",
        },
    )
    indicator = Indicator.objects.get(commitment=commitment)
    for when, value in [("2021-06-30", "1000"), ("2022-06-30", "2600")]:
        client.post(
            reverse("staff:measurement-create", args=[indicator.pk]),
            {"measured_on": when, "value": value, "source_url": "https://example.org/pipes"},
        )
    return indicator


def test_measurements_are_public_only_once_a_curator_approves(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, title="Safe water pledge")
    indicator = _editor_adds_indicator_with_measurements(client, commitment)
    assert indicator.publication == "draft"
    assert list(indicator.measurements.values_list("publication", flat=True)) == ["draft"] * 2
    assert "Lead pipes replaced" not in client.get(commitment.get_absolute_url()).content.decode()

    client.post(reverse("staff:commitment-submit", args=[commitment.pk]))
    assert Measurement.objects.filter(publication="submitted").count() == 2

    curator = f.curator()
    client.force_login(curator)
    queue = client.get(reverse("staff:review-queue")).content.decode()
    assert "Lead pipes replaced" in queue and "2,600" in queue
    for model, name in [(Indicator, "indicator-decide"), (Measurement, "measurement-decide")]:
        for obj in model.objects.filter(publication="submitted"):
            client.post(
                reverse(f"staff:{name}", args=[obj.pk]),
                {"decision": "approve", "state": submission_state(obj)},
            )

    page = client.get(commitment.get_absolute_url()).content.decode()
    # 2,600 of 4,000 pipes: 65%.
    assert "65% of the way" in page
    assert "2,600 pipes on 2022-06-30" in page


def test_a_measurement_changed_after_submission_is_not_approved(client, curator, pittsburgh):
    indicator = f.indicator(f.commitment(jurisdiction=pittsburgh))
    measurement = f.measurement(indicator, publication="submitted")
    seen = submission_state(measurement)
    Measurement.objects.filter(pk=measurement.pk).update(value=999)

    client.post(
        reverse("staff:measurement-decide", args=[measurement.pk]),
        {"decision": "approve", "state": seen},
    )

    measurement.refresh_from_db()
    assert measurement.publication == "submitted"


def test_only_the_jurisdictions_staff_add_indicators_and_only_curators_decide(client, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(commitment, publication="draft")
    measurement = f.measurement(indicator, publication="submitted")
    create = reverse("staff:indicator-create", args=[commitment.pk])
    measure = reverse("staff:measurement-create", args=[indicator.pk])
    decide = reverse("staff:measurement-decide", args=[measurement.pk])
    body = {"decision": "approve", "state": submission_state(measurement)}

    assert client.get(create).status_code == 302  # anonymous: to sign-in
    stranger = f.user()
    f.membership(stranger, f.jurisdiction())
    client.force_login(stranger)
    assert client.get(create).status_code == 404
    assert client.get(measure).status_code == 404
    manager = f.user()
    f.membership(manager, pittsburgh, role="manager")
    client.force_login(manager)
    assert client.get(create).status_code == 200
    assert client.post(decide, body).status_code == 403
    measurement.refresh_from_db()
    assert measurement.publication == "submitted"


def test_bad_indicator_input_is_a_form_error(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh)
    response = client.post(
        reverse("staff:indicator-create", args=[commitment.pk]),
        {
            "name": "Trees",
            "direction": "down",
            "baseline_value": "10",
            "baseline_date": "2020-01-01",
            "target_value": "1e40",
            "target_date": "2019-01-01",
        },
    )
    assert response.status_code == 400
    assert not Indicator.objects.exists()


# --- Status history --------------------------------------------------------------------


def _dated(commitment, *when):
    """Sets the recorded dates of the commitment's versions, oldest first."""
    records = list(commitment.history.order_by("history_date", "history_id"))
    assert len(records) == len(when)
    for record, moment in zip(records, when, strict=True):
        type(record).objects.filter(pk=record.pk).update(history_date=moment)


def test_the_status_on_a_past_date_comes_from_the_published_history(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh, status="adopted")  # v1, published
    update = f.update(commitment, status="in_progress", publication="submitted")
    approve_update(update, None, seen={"state": submission_state(update)})  # v2
    draft = Commitment.objects.get(pk=commitment.pk)
    draft.status, draft.publication = "implemented", "draft"
    draft.save()  # v3: an editor's draft, never public
    draft.publication = "published"
    draft.save()  # v4: approved
    _dated(
        commitment,
        datetime(2019, 5, 1, 12, tzinfo=UTC),
        datetime(2020, 11, 20, 12, tzinfo=UTC),
        datetime(2022, 2, 1, 12, tzinfo=UTC),
        datetime(2023, 3, 1, 12, tzinfo=UTC),
    )
    commitment.refresh_from_db()

    assert commitment.status_on(date(2019, 4, 30)) is None
    assert commitment.status_on(date(2019, 5, 1)) == "adopted"
    assert commitment.status_on(date(2020, 11, 9)) == "adopted"  # as of the 2020 review
    assert commitment.status_on(date(2021, 1, 1)) == "in_progress"
    assert commitment.status_on(date(2022, 6, 1)) == "in_progress"  # the draft was not public
    assert commitment.status_on(date(2026, 1, 1)) == commitment.status == "implemented"

    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "First published as" in page
    assert page.index("2020-11-20") < page.index("2023-03-01")
    assert "From the progress update of 2021-01-01" in page


def test_milestones_show_as_done_or_overdue(pittsburgh, client):
    commitment = f.commitment(jurisdiction=pittsburgh)
    f.milestone(
        commitment, title="Hearing held", due_on=date(2021, 3, 1), done_on=date(2021, 2, 20)
    )
    f.milestone(commitment, title="First audit", due_on=date(2022, 3, 1))

    page = client.get(commitment.get_absolute_url()).content.decode()

    assert "Milestone: Hearing held." in page and "Done on 2021-02-20." in page
    assert "Milestone: First audit." in page and "<strong>Overdue.</strong>" in page
    # In date order with the status history (first published today, after both).
    assert page.index("Hearing held") < page.index("First audit") < page.index("First published")


def test_a_returned_measurement_is_corrected_and_a_published_one_edited_goes_back(
    client, editor, pittsburgh
):
    commitment = f.commitment(jurisdiction=pittsburgh)
    indicator = f.indicator(commitment)
    returned = f.measurement(indicator, publication="rejected", value=150)
    public = f.measurement(indicator, measured_on=date(2021, 1, 1), value=120)
    body = {"measured_on": "2022-01-01", "value": "160", "source_url": "https://example.org/a"}

    client.post(reverse("staff:measurement-edit", args=[indicator.pk, returned.pk]), body)
    client.post(reverse("staff:measurement-edit", args=[indicator.pk, public.pk]), body)

    returned.refresh_from_db()
    public.refresh_from_db()
    assert (returned.value, returned.publication) == (Decimal("160"), "draft")
    assert public.publication == "draft"
    assert (
        "No measurement published yet" in client.get(commitment.get_absolute_url()).content.decode()
    )
    other = f.measurement(f.indicator(f.commitment()), publication="draft")
    url = reverse("staff:measurement-edit", args=[other.indicator_id, other.pk])
    assert client.post(url, body).status_code == 404
