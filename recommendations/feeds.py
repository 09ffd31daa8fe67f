"""The per-theme Atom feed of published commitments."""

from django.shortcuts import get_object_or_404

from jurisdictions.feeds import CommitmentFeed
from jurisdictions.models import Commitment

from .models import Theme


class ThemeCommitmentFeed(CommitmentFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"UPR Tracker: commitments on {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def commitments(self, obj):
        return Commitment.objects.published().filter(themes=obj)
