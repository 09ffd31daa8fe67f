from functools import partial

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from recommendations import cite_formats as rec_citations
from recommendations import exports
from recommendations.absolute_urls import base_url
from recommendations.listing import chips, clean_params, export_filename, paginate
from recommendations.models import Recommendation

from . import citations, peers
from .feeds import CommitmentFeed
from .filters import (
    COMMITMENT_SORTS,
    CommitmentFilter,
    JurisdictionFilter,
    commitment_facets,
    state_choices,
)
from .models import (
    Commitment,
    CommitmentKind,
    CommitmentLink,
    CommitmentStatus,
    Jurisdiction,
    JurisdictionKind,
    Publication,
    ThemeJurisdictionCount,
)
from .permissions import can_adopt
from .progress.pages import jurisdiction_progress, progress_context
from .progress.rollups import ROLLUP_COLUMNS, annotate_rollup, standing


def _with_commitment_counts(jurisdictions):
    """Sets .commitment_count on each: one grouped query for the rows shown."""
    counts = dict(
        Commitment.objects.published()
        .filter(jurisdiction__in=[j.pk for j in jurisdictions])
        .values_list("jurisdiction_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for jurisdiction in jurisdictions:
        jurisdiction.commitment_count = counts.get(jurisdiction.pk, 0)
    return jurisdictions


def _export_query(params) -> str:
    rest = params.copy()
    rest.pop("page", None)
    encoded = rest.urlencode()
    return f"?{encoded}" if encoded else ""


def jurisdiction_list(request):
    params = clean_params(request.GET)
    filterset = JurisdictionFilter(params, queryset=Jurisdiction.objects.select_related("parent"))
    page = paginate(filterset.qs.order_by("name", "id"), params)
    _with_commitment_counts(page.object_list)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "kinds": JurisdictionKind.choices,
        "states": state_choices(),
        "selected_kinds": set(params.getlist("kind")),
        "selected_states": set(params.getlist("state")),
        "active_filters": len(params.getlist("kind")) + len(params.getlist("state")),
        "export_query": _export_query(params),
    }
    return render(request, "jurisdictions/list.html", context)


COMMITMENTS_PER_STATUS = 10


def jurisdiction_detail(request, slug):
    jurisdiction = get_object_or_404(Jurisdiction.objects.select_related("parent"), slug=slug)
    published = Commitment.objects.published().filter(jurisdiction=jurisdiction)
    # A big city holds hundreds: show the latest few of each status, link to the rest.
    latest = (
        published.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("adopted_on").desc(nulls_last=True), F("title").asc()],
            )
        )
        .filter(rank__lte=COMMITMENTS_PER_STATUS)
        .only("id", "jurisdiction_id", "title", "title_es", "kind", "status", "adopted_on")
        .order_by("status", F("adopted_on").desc(nulls_last=True), "title")
    )
    totals = dict(published.values_list("status").annotate(n=Count("id")).order_by())
    status_order = {key: i for i, key in enumerate(CommitmentStatus.values)}
    commitments = sorted(latest, key=lambda c: status_order.get(c.status, 99))
    answered = CommitmentLink.objects.filter(commitment__in=published).values("recommendation_id")
    children = list(jurisdiction.children.order_by("name")[:200])
    context = {
        "jurisdiction": jurisdiction,
        "commitment_count": sum(totals.values()),
        "commitment_groups": _by_status(commitments, totals),
        "memberships": jurisdiction.network_memberships.select_related("network").order_by(
            "network__name"
        ),
        "recommendations": _with_urls(
            Recommendation.objects.filter(id__in=answered)
            .defer("search_vector", "search_vector_es")
            .select_related("review")
            .order_by("review_id", "id")[:20]
        ),
        "recommendation_count": Recommendation.objects.filter(id__in=answered).count(),
        # As the theme pages count them: on_themes(), broader themes included.
        "themes": ThemeJurisdictionCount.objects.themes_of(jurisdiction, 30),
        "children": _with_commitment_counts(children),
        "child_count": jurisdiction.children.count(),
        **jurisdiction_progress(jurisdiction),
        # A state's page also gives what the home page's map counts for it: the state's
        # own commitments and those of every place in it.
        "in_state_count": (
            Commitment.objects.published()
            .filter(jurisdiction__state_code=jurisdiction.state_code)
            .count()
            if jurisdiction.kind == JurisdictionKind.STATE and jurisdiction.state_code
            else None
        ),
    }
    return render(request, "jurisdictions/detail.html", context)


def _with_urls(recommendations) -> list:
    """The recommendations with .url set, built from the list URL rather than reversed
    once per row."""
    prefix = reverse("recommendations:recommendation-list")
    recommendations = list(recommendations)
    for rec in recommendations:
        rec.url = f"{prefix}{rec.pk}/"
    return recommendations


def _by_status(commitments, totals: dict) -> list[tuple[str, str, list, int]]:
    """(label, status, commitments shown, total) per status, in status order. Each
    commitment gets its URL and kind label here: reversing a URL and looking up a choice
    label per row in the template cost more than the page's queries."""
    statuses = dict(CommitmentStatus.choices)
    kinds = dict(CommitmentKind.choices)
    prefix = reverse("jurisdictions:commitment-list")
    groups = []
    for commitment in commitments:
        commitment.url = f"{prefix}{commitment.pk}/"
        commitment.kind_label = kinds.get(commitment.kind, commitment.kind)
        key = commitment.status
        if not groups or groups[-1][1] != key:
            groups.append((statuses.get(key, key), key, [], totals.get(key, 0)))
        groups[-1][2].append(commitment)
    return groups


def jurisdiction_export(request, fmt):
    params = clean_params(request.GET)
    queryset = annotate_rollup(Jurisdiction.objects.select_related("parent"), "commitments")
    filterset = JurisdictionFilter(params, queryset=queryset)
    fields = ["url", "slug", "name", "kind", "state_code", "fips", "parent", "website"]
    fields += ROLLUP_COLUMNS
    base = base_url(request)

    def row(j):
        return {
            "url": base + j.get_absolute_url(),
            "slug": j.slug,
            "name": j.name,
            "kind": j.kind,
            "state_code": j.state_code,
            "fips": j.fips,
            "parent": j.parent.slug if j.parent else "",
            "website": j.website,
            **{name: getattr(j, name) for name in ROLLUP_COLUMNS},
        }

    name = export_filename("jurisdictions", params)
    return exports.stream(filterset.qs.order_by("pk"), row, fields, fmt, name)


def _commitment_filterset(params, queryset):
    return CommitmentFilter(params, queryset=queryset)


def commitment_list(request):
    params = clean_params(request.GET)
    filterset = _commitment_filterset(params, Commitment.objects.published().for_list())
    page = paginate(filterset.sorted_qs(), params)
    facets = commitment_facets(filterset)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "facets": facets,
        "chips": chips(params, facets, {"q": _("Search"), "year": _("Year adopted")}),
        "states": state_choices(),
        "selected_states": set(params.getlist("state")),
        "sorts": COMMITMENT_SORTS,
        "sort": filterset.sort_key,
        "export_query": _export_query(params),
    }
    return render(request, "jurisdictions/commitment_list.html", context)


COMMITMENT_FIELDS = [
    "url",
    "id",
    "title",
    "title_es",
    "jurisdiction",
    "jurisdiction_url",
    "state_code",
    "kind",
    "instrument_ref",
    "status",
    "adopted_on",
    "target_date",
    "responsible_office",
    "summary",
    "summary_es",
    "source_url",
    "themes",
    "recommendations",
    "published_at",
    "updated_at",
    "standing",
]


def commitment_row(c, base: str) -> dict:
    site = base
    return {
        "url": site + c.get_absolute_url(),
        "id": c.pk,
        "title": c.title,
        "title_es": c.title_es,
        "jurisdiction": str(c.jurisdiction),
        "jurisdiction_url": site + c.jurisdiction.get_absolute_url(),
        "state_code": c.jurisdiction.state_code,
        "kind": c.kind,
        "instrument_ref": c.instrument_ref,
        "status": c.status,
        "adopted_on": c.adopted_on.isoformat() if c.adopted_on else "",
        "target_date": c.target_date.isoformat() if c.target_date else "",
        "responsible_office": c.responsible_office,
        "summary": c.summary,
        "summary_es": c.summary_es,
        "source_url": c.source_url,
        "themes": "; ".join(sorted(t.slug for t in c.themes.all())),
        "recommendations": "; ".join(
            site + f"/r/{link.recommendation.public_id}/" for link in c.links.all()
        ),
        "published_at": c.published_at.isoformat() if c.published_at else "",
        "updated_at": c.updated_at.isoformat() if c.updated_at else "",
        # on_track, late, done or repealed: the roll-ups' definition (progress/rollups.py).
        "standing": getattr(c, "standing", ""),
    }


def commitment_export(request, fmt):
    params = clean_params(request.GET)
    queryset = Commitment.objects.for_export().annotate(standing=standing())
    filterset = _commitment_filterset(params, queryset)
    return exports.stream(
        filterset.qs.order_by("pk"),
        partial(commitment_row, base=base_url(request)),
        COMMITMENT_FIELDS,
        fmt,
        export_filename("commitments", params),
    )


def commitment_cite(request, pk, fmt):
    if fmt not in rec_citations.FORMATS:
        raise Http404(_("No such citation format."))
    commitment = get_object_or_404(
        Commitment.objects.published().select_related("jurisdiction"), pk=pk
    )
    url = base_url(request) + commitment.get_absolute_url()
    return rec_citations.respond(citations.commitment_csl(commitment, url), fmt)


def commitment_detail(request, pk):
    commitment = get_object_or_404(
        Commitment.objects.published()
        .select_related("jurisdiction__parent", "modelled_on__jurisdiction")
        .prefetch_related("themes"),
        pk=pk,
    )
    links = list(
        commitment.links.select_related("recommendation__review").order_by(
            "recommendation__review_id", "recommendation_id"
        )
    )
    base = base_url(request)
    url = base + commitment.get_absolute_url()
    cited = [base + link.recommendation.get_absolute_url() for link in links]
    context = {
        "commitment": commitment,
        "links": links,
        "cite_text": rec_citations.plain_text(citations.commitment_csl(commitment, url)),
        "cite_formats": rec_citations.LABELS,
        "json_ld": rec_citations.json_ld_tag(citations.commitment_json_ld(commitment, url, cited)),
        "updates": commitment.updates.filter(publication=Publication.PUBLISHED).order_by(
            "reported_on", "id"
        ),
        **peers.commitment_context(commitment),
        "can_adopt": can_adopt(request.user, commitment),
        **progress_context(commitment),
    }
    return render(request, "jurisdictions/commitment.html", context)


commitment_feed = CommitmentFeed()
