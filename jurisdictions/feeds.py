"""Atom feeds of new and updated published commitments.

Feeds carry plain text only. Staff write titles and summaries as text, but a feed reader
renders an Atom summary of type "html" as markup, outside the site's escaping and its
Content Security Policy; so tags are stripped and every summary is declared "text".
Titles and summaries are in the visitor's language where a version exists, with a note
where they fall back to the other (recommendations/bilingual.py).
"""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from recommendations.models import Theme

from .models import Commitment, Jurisdiction

FEED_SIZE = 50


def plain(value) -> str:
    return strip_tags(str(value))


class PlainTextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are declared plain text (Django writes type="html")."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class CommitmentFeed(Feed):
    feed_type = PlainTextAtom1Feed

    # Methods, not attributes: the titles are translated into the request's language.
    def title(self, obj=None):
        return _("UPR Tracker: new and updated commitments")

    def subtitle(self, obj=None):
        return _("Published state and local commitments answering UN UPR recommendations.")

    def link(self, obj=None):
        return reverse("jurisdictions:commitment-list")

    def commitments(self, obj):
        return Commitment.objects.published()

    def items(self, obj=None):
        return (
            self.commitments(obj)
            .select_related("jurisdiction")
            .order_by("-updated_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item):
        return plain(f"{item.localized('title').noted()} ({item.jurisdiction})")

    def item_description(self, item):
        parts = [item.get_status_display(), item.get_kind_display()]
        summary = item.localized("summary")
        if summary:
            parts.append(summary.noted())
        return plain(" · ".join(parts))

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return plain(item.jurisdiction)


class JurisdictionCommitmentFeed(CommitmentFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Jurisdiction, slug=slug)

    def title(self, obj):
        return plain(_("UPR Tracker: commitments of %(jurisdiction)s") % {"jurisdiction": obj})

    def link(self, obj):
        return obj.get_absolute_url()

    def commitments(self, obj):
        # The jurisdiction's own commitments and those of the places directly under it.
        return Commitment.objects.published().filter(
            Q(jurisdiction=obj) | Q(jurisdiction__parent=obj)
        )


class ThemeCommitmentFeed(CommitmentFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return plain(
            _("UPR Tracker: commitments on %(theme)s") % {"theme": obj.localized("name").text}
        )

    def link(self, obj):
        return obj.get_absolute_url()

    def commitments(self, obj):
        return Commitment.objects.published().on_themes([obj])


class SearchFeed(CommitmentFeed):
    """/recommendations/feed/?…, /commitments/feed/?…, /jurisdictions/feed/?…: what
    changed within the list's search (follow/searches.py), as the search's digest lists it."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def get_object(self, request):
        from .follow.models import SavedSearch
        from .follow.searches import normalise

        return SavedSearch(kind=self.kind, query=normalise(self.kind, request.GET))

    def title(self, obj):
        return plain(f"UPR Tracker: {obj}")

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        from .follow.searches import changes

        return changes(obj, None)[:FEED_SIZE]

    def item_updateddate(self, item):
        return item.changed_at
