"""Atom feeds of new and updated published commitments."""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from recommendations.models import Theme

from .models import Commitment, Jurisdiction

FEED_SIZE = 50


class CommitmentFeed(Feed):
    feed_type = Atom1Feed
    title = "UPR Tracker: new and updated commitments"
    subtitle = "Published state and local commitments answering UN UPR recommendations."

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
        return f"{item.title} ({item.jurisdiction})"

    def item_description(self, item):
        parts = [item.get_status_display(), item.get_kind_display()]
        if item.summary:
            parts.append(item.summary)
        return " · ".join(parts)

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return str(item.jurisdiction)


class JurisdictionCommitmentFeed(CommitmentFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Jurisdiction, slug=slug)

    def title(self, obj):
        return f"UPR Tracker: commitments of {obj}"

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
        return f"UPR Tracker: commitments on {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def commitments(self, obj):
        return Commitment.objects.published().filter(themes=obj)
