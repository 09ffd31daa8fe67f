"""Public History tabs of published commitments and of recommendations."""

from django.shortcuts import get_object_or_404, render

from recommendations.models import Recommendation

from . import history
from .models import Commitment


def commitment_history(request, pk):
    commitment = get_object_or_404(
        Commitment.objects.published().select_related("jurisdiction"), pk=pk
    )
    return render(
        request,
        "history/commitment.html",
        {"commitment": commitment, "entries": history.commitment_history(commitment)},
    )


def recommendation_history(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.select_related("review"), pk=pk)
    return render(
        request,
        "history/recommendation.html",
        {
            "recommendation": recommendation,
            "entries": history.recommendation_history(recommendation),
        },
    )
