from django.shortcuts import get_object_or_404, render

from .models import Commitment, Jurisdiction


def jurisdiction_detail(request, slug):
    jurisdiction = get_object_or_404(Jurisdiction, slug=slug)
    commitments = jurisdiction.commitments.published().for_list()
    return render(
        request,
        "jurisdictions/detail.html",
        {"jurisdiction": jurisdiction, "commitments": commitments},
    )


def commitment_detail(request, pk):
    commitment = get_object_or_404(
        Commitment.objects.published().select_related("jurisdiction"), pk=pk
    )
    return render(request, "jurisdictions/commitment.html", {"commitment": commitment})
