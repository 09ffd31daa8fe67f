"""Curators' edits of recommendations, themes and the dates of the UPR calendar."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recommendations.models import CalendarEntry, Recommendation, Theme

from ..forms import (
    CalendarEntryForm,
    RecommendationEditForm,
    ThemeForm,
)
from .access import curator_only


@curator_only
def recommendation_edit(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.select_related("review"), pk=pk)
    form = RecommendationEditForm(request.POST or None, instance=recommendation)
    if request.method == "POST" and form.is_valid():
        form.save()
        recommendation.mark_curated(form.changed_data)
        messages.success(request, _("Recommendation saved."))
        return redirect(recommendation.get_absolute_url())
    return render(
        request, "manage/recommendation_form.html", {"form": form, "object": recommendation}
    )


@curator_only
def theme_list(request):
    themes = Theme.objects.select_related("parent").order_by("vocabulary", "name")
    return render(request, "manage/themes.html", {"themes": themes})


@curator_only
def theme_edit(request, pk=None):
    theme = get_object_or_404(Theme, pk=pk) if pk else None
    form = ThemeForm(request.POST or None, instance=theme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Theme saved."))
        return redirect("staff:themes")
    return render(request, "manage/theme_form.html", {"form": form, "object": theme})


@curator_only
def calendar_list(request):
    entries = CalendarEntry.objects.for_calendar()
    return render(request, "manage/calendar.html", {"entries": entries})


@curator_only
def calendar_edit(request, pk=None):
    entry = get_object_or_404(CalendarEntry, pk=pk) if pk else None
    form = CalendarEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Date saved. The calendar feed carries it from now on."))
        return redirect("staff:calendar")
    return render(request, "manage/calendar_form.html", {"form": form, "object": entry})


@require_POST
@curator_only
def calendar_delete(request, pk):
    entry = get_object_or_404(CalendarEntry, pk=pk)
    entry.delete()
    messages.success(request, _("Date removed from the calendar."))
    return redirect("staff:calendar")
