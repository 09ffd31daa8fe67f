from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from jurisdictions.models import Commitment

from .models import Country, Recommendation, Review, Theme


def home(request):
    responses = (
        Recommendation.objects.values("response").annotate(n=Count("id")).order_by("response")
    )
    labels = dict(Recommendation.Response.choices)
    context = {
        "recommendation_count": Recommendation.objects.count(),
        "responses": [(labels[row["response"]], row["n"]) for row in responses],
        "commitment_count": Commitment.objects.published().count(),
        "reviews": Review.objects.select_related("state_under_review").order_by("-cycle")[:8],
        "latest": Commitment.objects.published().for_list().order_by("-published_at")[:5],
    }
    return render(request, "home.html", context)


def recommendation_detail(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.for_detail(), pk=pk)
    return render(request, "recommendations/detail.html", {"recommendation": recommendation})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    recommendations = theme.recommendations.for_list()[:100]
    return render(
        request, "recommendations/theme.html", {"theme": theme, "recommendations": recommendations}
    )


def country_detail(request, iso3):
    country = get_object_or_404(Country, iso3=iso3.upper())
    recommendations = country.recommendations_made.for_list()[:100]
    return render(
        request,
        "recommendations/country.html",
        {"country": country, "recommendations": recommendations},
    )


def review_detail(request, pk):
    review = get_object_or_404(Review.objects.select_related("state_under_review"), pk=pk)
    recommendations = review.recommendations.for_list()[:100]
    return render(
        request,
        "recommendations/review.html",
        {"review": review, "recommendations": recommendations},
    )
