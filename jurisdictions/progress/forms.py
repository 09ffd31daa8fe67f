"""Staff forms for indicators, measurements and milestones."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import HttpURLField
from .models import Indicator, Measurement, Milestone

DATE = forms.DateInput(attrs={"type": "date"})


# What staff write about an indicator: the form's fields, and the spreadsheet's columns.
INDICATOR_FIELDS = [
    "name",
    "unit",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS
        labels = {
            "name": _("Name"),
            "unit": _("Unit"),
            "direction": _("Direction"),
            "baseline_value": _("Baseline"),
            "baseline_date": _("Baseline date"),
            "target_value": _("Target"),
            "target_date": _("Target date"),
        }
        help_texts = {
            "direction": _("Whether a rising or a falling number means progress."),
            "baseline_value": _("The value at the start."),
            "baseline_date": _("The date the baseline describes."),
            "target_value": _("The value the commitment aims for."),
            "target_date": _("When the target should be reached."),
        }
        widgets = {"baseline_date": DATE, "target_date": DATE}


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "source_url"]
        labels = {"measured_on": _("Date"), "value": _("Value"), "source_url": _("Source URL")}
        widgets = {"measured_on": DATE}
        field_classes = {"source_url": HttpURLField}

    def __init__(self, *args, indicator=None, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean_measured_on(self):
        measured = self.cleaned_data["measured_on"]
        if self.indicator and measured < self.indicator.baseline_date:
            raise forms.ValidationError(_("The date cannot be before the baseline date."))
        return measured


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        labels = {"title": _("Title"), "due_on": _("Due date"), "done_on": _("Done on")}
        help_texts = {"done_on": _("Leave empty until it is done.")}
        widgets = {"due_on": DATE, "done_on": DATE}
