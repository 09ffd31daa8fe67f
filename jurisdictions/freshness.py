"""What a curator's approval changes on the public site shows at once.

Edits elsewhere reach the public figures through the coalesced background refresh
(status_refresh.py) and the few-minute caches of the home page and facet counts. An
approval is the moment a curator expects to see the result, so it refreshes the statuses
of the commitment's recommendations in the request (a targeted refresh touches a few rows)
and drops the cached figures.
"""

from django.db import transaction

from recommendations.views import forget_cached_figures

from .local_status import refresh_local_status
from .models import CommitmentLink
from .panels import forget_home_figures


def refresh_after_publication(commitment_id: int) -> None:
    """Once the current transaction commits: refresh the local-action status of every
    recommendation the commitment links to (one statement), then forget the cached home
    figures and facet counts."""

    def refresh():
        ids = list(
            CommitmentLink.objects.filter(commitment_id=commitment_id).values_list(
                "recommendation_id", flat=True
            )
        )
        if ids:
            refresh_local_status(ids)
        forget_cached_figures()
        forget_home_figures()

    transaction.on_commit(refresh)
