"""A small set for the report tests: three cycle-3 recommendations, one with two
published commitments (updates and evidence), one answered only by a draft, one by none."""

from datetime import date
from types import SimpleNamespace

from jurisdictions.local_status import refresh_local_status
from tests import factories


def build_report_data():
    usa = factories.country(iso3="USA", name="United States", region="weog")
    france = factories.country(iso3="FRA", name="France", region="weog")
    kenya = factories.country(iso3="KEN", name="Kenya", region="african")
    review = factories.review(state_under_review=usa, report_symbol="A/HRC/46/15")
    water = factories.theme(vocabulary="upr_info", name="Right to water")
    shelter = factories.recommendation(
        review=review,
        paragraph="26.181",
        text="Guarantee shelter for every homeless family.",
        recommending_countries=[france, kenya],
        local_status="implemented",
        jurisdictions_acting=2,
    )
    water_rec = factories.recommendation(
        review=review,
        paragraph="26.230",
        text="Make water affordable for households on low incomes.",
        response="noted",
        themes=[water],
    )
    quiet = factories.recommendation(
        review=review,
        paragraph="26.300",
        text="Publish an annual report on prison conditions.",
        response="supported_in_part",
    )
    boston = factories.jurisdiction(name="Boston", slug="boston", state_code="MA")
    providence = factories.jurisdiction(name="Providence", slug="providence", state_code="RI")
    right_to_shelter = factories.commitment(
        jurisdiction=boston,
        title="Family shelter guarantee",
        instrument_ref="Chapter 450",
        status="implemented",
        adopted_on=date(1983, 7, 1),
        source_url="https://example.org/shelter-law",
    )
    bill_of_rights = factories.commitment(
        jurisdiction=providence,
        title="Homeless bill of rights",
        status="in_progress",
        adopted_on=date(2012, 6, 1),
        target_date=date(2027, 1, 1),
    )
    factories.link(right_to_shelter, shelter, relation="implements")
    factories.link(bill_of_rights, shelter, relation="partial")
    factories.update(
        bill_of_rights,
        reported_on=date(2024, 3, 1),
        summary="Outreach teams now visit every encampment weekly.",
        evidence_url="https://example.org/outreach-2024",
    )
    factories.update(
        bill_of_rights,
        reported_on=date(2025, 5, 1),
        summary="Unpublished draft news.",
        publication="draft",
        evidence_url="https://example.org/secret-draft",
    )
    draft = factories.commitment(
        jurisdiction=boston, title="Unpublished water plan", publication="draft"
    )
    factories.link(draft, water_rec)
    # What the status refresh keeps after these edits (derived statuses, acting arrays).
    refresh_local_status()
    return SimpleNamespace(**locals())
