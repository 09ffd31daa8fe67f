"""A local implementation report gains the roll-up, the status at the last review and
now, and the indicators."""

import io
from datetime import UTC, date, datetime

import docx
import pytest

from jurisdictions.models import Commitment
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_local_report_shows_progress_over_time(client, report_data):
    plan = report_data.bill_of_rights  # in progress, published
    review = report_data.review
    review.review_date = date(2020, 11, 9)
    review.save()
    first = plan.history.earliest("history_date")
    type(first).objects.filter(pk=first.pk).update(
        history_date=datetime(2019, 1, 1, tzinfo=UTC), status="adopted"
    )
    later = Commitment.objects.get(pk=plan.pk)
    later.save()  # a second version, now: in progress
    indicator = f.indicator(
        plan, name="People in permanent housing", unit="people", baseline_value=40
    )
    f.measurement(indicator, value=130, source_url="https://example.org/housing-count")
    f.measurement(indicator, value=999, publication="submitted")
    f.indicator(plan, name="Outreach visits", unit="visits")
    f.milestone(
        plan, title="Outreach teams hired", due_on=date(2021, 3, 1), done_on=date(2021, 5, 3)
    )
    f.milestone(plan, title="First annual count", due_on=date(2022, 1, 31))

    response = client.get("/reports/local.docx?jurisdiction=providence")

    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Progress over time" in headings
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    assert ["On track", "1", "100%"] in tables[-3]
    assert tables[-2] == [
        ["Commitment", "As of 9 November 2020", "Now"],
        ["Homeless bill of rights", "Adopted", "In progress"],
    ]
    # The timeline, in date order: the done milestone on the day it was done.
    assert tables[-1][0] == ["Date", "Commitment", "Event"]
    events = [row[2] for row in tables[-1][1:]]
    assert events.index("Milestone done: Outreach teams hired") < events.index(
        "Milestone overdue: First annual count"
    )
    assert ["3 May 2021", "Homeless bill of rights", "Milestone done: Outreach teams hired"] in (
        tables[-1]
    )
    text = "\n".join(p.text for p in document.paragraphs)
    # (130 - 40) / (300 - 40) = 34.6%
    assert (
        "Homeless bill of rights, indicator “People in permanent housing”: baseline 40 people "
        "(1 January 2020), target 300 people by 31 December 2024; 130 people on 1 January "
        f"2022, {round(100 * 90 / 260)}% of the way from baseline to target." in text
    )
    assert "“Outreach visits”" in text and "no published measurement yet." in text
    assert "999" not in text
    assert "https://example.org/housing-count" in text
