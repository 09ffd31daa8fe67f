"""Factory functions with keyword knobs; each makes the smallest valid row."""

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction, ProgressUpdate
from recommendations.models import Country, Recommendation, Review, Theme

_seq = itertools.count(1)


def country(**kw) -> Country:
    n = next(_seq)
    code = kw.pop("iso3", None) or f"Q{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}"
    defaults = {"name": f"Country {n}", "region": "weog"}
    defaults.update(kw)
    return Country.objects.create(iso3=code, **defaults)


def review(**kw) -> Review:
    if "state_under_review" not in kw:
        kw["state_under_review"] = Country.objects.filter(iso3="USA").first() or country(
            iso3="USA", name="United States"
        )
    defaults = {"cycle": 3, "wg_session": 36, "report_symbol": "A/HRC/46/15", "status": "responded"}
    defaults.update(kw)
    return Review.objects.create(**defaults)


def recommendation(**kw) -> Recommendation:
    countries = kw.pop("recommending_countries", [])
    themes = kw.pop("themes", [])
    if "review" not in kw:
        kw["review"] = Review.objects.first() or review()
    n = next(_seq)
    defaults = {
        "paragraph": f"26.{n}",
        "text": f"Take measure number {n}.",
        "response": "supported",
    }
    defaults.update(kw)
    rec = Recommendation.objects.create(**defaults)
    rec.recommending_countries.set(countries)
    rec.themes.set(themes)
    return rec


def theme(**kw) -> Theme:
    n = next(_seq)
    vocabulary = kw.pop("vocabulary", "project")
    name = kw.pop("name", f"Theme {n}")
    return Theme.objects.create(
        vocabulary=vocabulary, name=name, slug=Theme.make_slug(vocabulary, name), **kw
    )


def jurisdiction(**kw) -> Jurisdiction:
    n = next(_seq)
    defaults = {"kind": "city", "name": f"Town {n}", "slug": f"town-{n}", "state_code": "PA"}
    defaults.update(kw)
    return Jurisdiction.objects.create(**defaults)


def commitment(**kw) -> Commitment:
    if "jurisdiction" not in kw:
        kw["jurisdiction"] = jurisdiction()
    n = next(_seq)
    defaults = {
        "title": f"Commitment {n}",
        "kind": "ordinance",
        "status": "adopted",
        "publication": "published",
        "adopted_on": date(2020, 1, 1),
    }
    defaults.update(kw)
    return Commitment.objects.create(**defaults)


def link(commitment_obj, recommendation_obj, **kw) -> CommitmentLink:
    return CommitmentLink.objects.create(
        commitment=commitment_obj, recommendation=recommendation_obj, **kw
    )


def update(commitment_obj, **kw) -> ProgressUpdate:
    defaults = {
        "reported_on": date(2021, 1, 1),
        "summary": "Work began.",
        "publication": "published",
    }
    defaults.update(kw)
    return ProgressUpdate.objects.create(commitment=commitment_obj, **defaults)


def user(**kw):
    n = next(_seq)
    defaults = {"username": f"user{n}", "email": f"user{n}@example.org"}
    defaults.update(kw)
    password = defaults.pop("password", "correct horse battery staple")
    return get_user_model().objects.create_user(password=password, **defaults)


def membership(user_obj, jurisdiction_obj, role="editor"):
    from jurisdictions.models import Membership

    return Membership.objects.create(user=user_obj, jurisdiction=jurisdiction_obj, role=role)


def curator(**kw):
    from jurisdictions.permissions import make_curator

    person = user(**kw)
    make_curator(person)
    return person


def admin_user(**kw):
    person = user(**kw)
    person.is_superuser = True
    person.is_staff = True
    person.save()
    return person


def indicator(commitment_obj, **kw):
    from jurisdictions.models import Indicator

    defaults = {
        "name": "Households housed",
        "unit": "households",
        "direction": "up",
        "baseline_value": 100,
        "baseline_date": date(2020, 1, 1),
        "target_value": 300,
        "target_date": date(2024, 12, 31),
        "publication": "published",
    }
    defaults.update(kw)
    return Indicator.objects.create(commitment=commitment_obj, **defaults)


def measurement(indicator_obj, **kw):
    from jurisdictions.models import Measurement

    defaults = {
        "measured_on": date(2022, 1, 1),
        "value": 150,
        "source_url": "https://example.org/figures",
        "publication": "published",
    }
    defaults.update(kw)
    return Measurement.objects.create(indicator=indicator_obj, **defaults)


def milestone(commitment_obj, **kw):
    from jurisdictions.models import Milestone

    defaults = {"title": "First annual report", "due_on": date(2022, 6, 30)}
    defaults.update(kw)
    return Milestone.objects.create(commitment=commitment_obj, **defaults)
