"""Compare places: two to four jurisdictions side by side. Their published commitments
per theme (the figures of the theme pages' "Who acted", ThemeJurisdictionCount), per
status, their progress updates, and the recommendations each has acted on that none of
the others has."""

from django import forms
from django.db.models import Count, Max
from django.shortcuts import render
from django.utils.translation import gettext as _

from recommendations.models import Recommendation

from .models import (
    Commitment,
    CommitmentLink,
    CommitmentStatus,
    Jurisdiction,
    ProgressUpdate,
    Publication,
    ThemeJurisdictionCount,
)

MIN_PLACES, MAX_PLACES = 2, 4
THEMES = 40
ONLY_HERE = 50


class CompareForm(forms.Form):
    """`j`, repeated: each a jurisdiction's slug (from its address) or its exact name."""

    j = forms.CharField(required=False)

    def __init__(self, params, *args, **kwargs):
        super().__init__(params, *args, **kwargs)
        # A NUL can be no part of a name, and PostgreSQL refuses one in a query.
        values = (v.replace("\x00", "").strip()[:220] for v in params.getlist("j"))
        self.values = [v for v in values if v]
        self.places: list[Jurisdiction] = []

    def clean(self):
        values = list(dict.fromkeys(self.values))
        if len(values) < MIN_PLACES or len(values) > MAX_PLACES:
            raise forms.ValidationError(
                _(
                    "Choose from %(min)s to %(max)s different jurisdictions to compare; you "
                    "gave %(count)s."
                )
                % {"min": MIN_PLACES, "max": MAX_PLACES, "count": len(values)}
            )
        unknown = []
        for value in values:
            place = Jurisdiction.objects.filter(slug=value).first()
            if place is None:
                named = list(Jurisdiction.objects.filter(name__iexact=value)[:2])
                place = named[0] if len(named) == 1 else None
            if place is None:
                unknown.append(value)
            elif place not in self.places:
                self.places.append(place)
        if unknown:
            raise forms.ValidationError(
                _("No jurisdiction is called %(names)s.")
                % {"names": ", ".join(f"“{v[:60]}”" for v in unknown)}
            )
        if len(self.places) < MIN_PLACES:
            raise forms.ValidationError(_("Those names are one jurisdiction: choose another."))
        return {}


def _theme_rows(places) -> list[dict]:
    rows = (
        ThemeJurisdictionCount.objects.filter(jurisdiction__in=places, commitments__gt=0)
        .select_related("theme")
        .order_by("theme__name")
    )
    by_theme: dict[int, dict] = {}
    for row in rows:
        entry = by_theme.setdefault(row.theme_id, {"theme": row.theme, "counts": {}})
        entry["counts"][row.jurisdiction_id] = row.commitments
    ranked = sorted(by_theme.values(), key=lambda e: (-sum(e["counts"].values()), e["theme"].name))[
        :THEMES
    ]
    for entry in ranked:
        entry["cells"] = [entry["counts"].get(p.pk, 0) for p in places]
    return ranked


def _status_rows(places) -> tuple[list[dict], list[int]]:
    counts = {
        (j, s): n
        for j, s, n in Commitment.objects.published()
        .filter(jurisdiction__in=places)
        .values_list("jurisdiction_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = [
        {"label": label, "status": key, "cells": [counts.get((p.pk, key), 0) for p in places]}
        for key, label in CommitmentStatus.choices
    ]
    totals = [sum(row["cells"][i] for row in rows) for i in range(len(places))]
    return rows, totals


def _progress(places) -> list[dict]:
    found = {
        j: (n, latest)
        for j, n, latest in ProgressUpdate.objects.filter(
            publication=Publication.PUBLISHED,
            commitment__publication=Publication.PUBLISHED,
            commitment__jurisdiction__in=places,
        )
        .values_list("commitment__jurisdiction_id")
        .annotate(n=Count("id"), latest=Max("reported_on"))
        .order_by()
    }
    return [
        {"updates": found.get(p.pk, (0, None))[0], "latest": found.get(p.pk, (0, None))[1]}
        for p in places
    ]


def _only_here(places) -> list[dict]:
    acted: dict[int, set[int]] = {p.pk: set() for p in places}
    for j, rec in (
        CommitmentLink.objects.filter(
            commitment__publication=Publication.PUBLISHED, commitment__jurisdiction__in=places
        )
        .values_list("commitment__jurisdiction_id", "recommendation_id")
        .distinct()
    ):
        acted[j].add(rec)
    columns = []
    for place in places:
        others = set().union(*(acted[p.pk] for p in places if p.pk != place.pk))
        only = acted[place.pk] - others
        # The first ONLY_HERE by id (the order they were recorded in), fetched by key:
        # a big city's list runs to thousands.
        shown = (
            Recommendation.objects.filter(pk__in=sorted(only)[:ONLY_HERE])
            .select_related("review")
            .defer("search_vector", "search_vector_es")
            .order_by("id")
        )
        columns.append(
            {
                "place": place,
                "acted": len(acted[place.pk]),
                "count": len(only),
                "recommendations": list(shown),
            }
        )
    return columns


def compare(request):
    form = CompareForm(request.GET)
    if not form.values:
        return render(request, "jurisdictions/compare.html", {"form": form, "asked": False})
    if not form.is_valid():
        context = {"form": form, "asked": True}
        # One place is where "Compare with other places" on its page starts: the form
        # asks for the others; anything else is a request that cannot be answered.
        status = 200 if len(form.values) == 1 else 400
        return render(request, "jurisdictions/compare.html", context, status=status)
    places = form.places
    status_rows, totals = _status_rows(places)
    context = {
        "form": form,
        "asked": True,
        "places": places,
        "theme_rows": _theme_rows(places),
        "status_rows": status_rows,
        "totals": totals,
        "progress": _progress(places),
        "only_here": _only_here(places),
    }
    return render(request, "jurisdictions/compare.html", context)
