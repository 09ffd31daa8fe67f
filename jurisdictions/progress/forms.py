"""Staff forms for indicators, measurements and milestones."""

from django import forms

from ..forms import HttpURLField
from .models import Indicator, Measurement, Milestone

DATE = forms.DateInput(attrs={"type": "date"})


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
        ]
        labels = {"baseline_value": "Baseline", "target_value": "Target"}
        help_texts = {
            "direction": "Whether a rising or a falling number means progress.",
            "baseline_value": "The value at the start.",
            "baseline_date": "The date the baseline describes.",
            "target_value": "The value the commitment aims for.",
            "target_date": "When the target should be reached.",
        }
        widgets = {"baseline_date": DATE, "target_date": DATE}


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "source_url"]
        widgets = {"measured_on": DATE}
        field_classes = {"source_url": HttpURLField}

    def __init__(self, *args, indicator=None, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean_measured_on(self):
        measured = self.cleaned_data["measured_on"]
        if self.indicator and measured < self.indicator.baseline_date:
            raise forms.ValidationError("The date cannot be before the baseline date.")
        return measured


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        help_texts = {"done_on": "Leave empty until it is done."}
        widgets = {"due_on": DATE, "done_on": DATE}
