"""Staff forms. Each refuses bad input with a message on the field it concerns."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from recommendations.fetch import validate_public_url
from recommendations.filters import theme_options
from recommendations.models import HOME_STATE, CalendarEntry, Recommendation, Review, Theme
from recommendations.recurrence import refresh_recommended_again

from .follow.outbox import announce
from .models import (
    Commitment,
    CommitmentLink,
    Membership,
    ProgressUpdate,
    Publication,
    site_language,
)

# Generous for real summaries, small enough to refuse pasted documents.
MAX_TEXT = 5000
http_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
)


class HttpURLField(forms.URLField):
    # The link checker fetches these addresses from inside the deployment.
    default_validators = [http_url, validate_public_url]
    default_error_messages = {"invalid": http_url.message}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id beyond a 64-bit integer as an invalid value, before the lookup: no
    id column holds one, and the error then says which value was wrong."""

    def _check_values(self, value):
        for pk in value:
            try:
                too_big = abs(int(pk)) >= 2**63
            except (TypeError, ValueError):
                continue  # not a number: the usual check reports it
            if too_big:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:30]},
                )
        return super()._check_values(value)


class CommitmentForm(forms.ModelForm):
    # The version the editor started from; a save from an older version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Commitment
        fields = [
            "title",
            "kind",
            "instrument_ref",
            "status",
            "summary",
            "title_es",
            "summary_es",
            "adopted_on",
            "target_date",
            "responsible_office",
            "source_url",
            "themes",
        ]
        labels = {
            "title": _("Title"),
            "kind": _("What kind of act is it?"),
            "instrument_ref": _("Instrument ref"),
            "status": _("Status"),
            "summary": _("Summary"),
            "adopted_on": _("Adopted on"),
            "target_date": _("Target date"),
            "responsible_office": _("Office in charge"),
            "source_url": _("Source URL"),
            "themes": _("Themes"),
        }
        help_texts = {
            "title": _("A short name a resident would recognise, e.g. “Fair housing ordinance”."),
            "kind": _("Pick the closest; “Policy” fits most administrative decisions."),
            "status": _("Where it stands today. You can record progress later."),
            "adopted_on": _("The day it was passed, signed or announced."),
            "target_date": _("Leave empty if no deadline was set. Cannot be before adoption."),
            "responsible_office": _("The department or office that carries it out."),
            "themes": _("Optional. Tick every theme it works on; type to narrow the list."),
            "title_es": _("Optional. Shown to visitors reading in Spanish."),
            "summary_es": _("Optional. Shown to visitors reading in Spanish."),
        }
        widgets = {
            "adopted_on": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "summary_es": forms.Textarea(attrs={"rows": 5}),
            "themes": forms.CheckboxSelectMultiple,
        }
        field_classes = {"source_url": HttpURLField, "themes": ModelMultipleChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("summary", "summary_es"):
            self.fields[name].max_length = MAX_TEXT
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT
        self.fields["summary_es"].validators.append(MaxLengthValidator(MAX_TEXT))
        self.fields["themes"].queryset = Theme.objects.order_by("vocabulary", "name")
        self.fields["kind"].initial = Commitment.Kind.POLICY
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def theme_groups(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The theme picker's options as the public list groups and names them: (vocabulary
        heading, [(id, label, ticked)]), a name two vocabularies share labelled with its
        own."""
        ticked = {str(v) for v in self["themes"].value() or []}
        ids = dict(Theme.objects.values_list("slug", "pk"))
        groups: dict[str, list] = {}
        for slug, label, group, _chip in theme_options():
            pk = str(ids[slug])
            groups.setdefault(group, []).append((pk, label, pk in ticked))
        return list(groups.items())

    def save_if_current(self, *, keep_public: bool):
        """Saves under a row lock unless someone saved since this form's version, in which
        case nothing is saved and the newer commitment is returned. A staff change to a
        published commitment takes it back to draft until a curator approves it again
        (keep_public: the curators' own edits stay public)."""
        started_from = self.cleaned_data.get("version") or 0
        self.unpublished = False
        with transaction.atomic():
            current = Commitment.objects.select_for_update().get(pk=self.instance.pk)
            if current.version != started_from:
                return current
            for name, value in self.cleaned_data.items():
                if name not in {"themes", "version"}:
                    setattr(current, name, value)
            current.version += 1
            if not keep_public and current.publication == Publication.PUBLISHED:
                current.publication = Publication.DRAFT
                self.unpublished = True
            current.save()
            current.themes.set(self.cleaned_data["themes"])
            announce(Commitment.objects.filter(pk=current.pk))
        self.instance = current
        return None

    def rebased_on(self, newer):
        """The same typed text, now based on the newer version the editor has just seen."""
        data = self.data.copy()
        data["version"] = newer.version
        form = CommitmentForm(data, instance=Commitment.objects.get(pk=newer.pk))
        form.is_valid()
        return form

    def clean_summary(self):
        summary = self.cleaned_data.get("summary", "")
        if len(summary) > MAX_TEXT:
            raise forms.ValidationError(
                _("Keep the summary under %(count)s characters.") % {"count": MAX_TEXT}
            )
        return summary

    def clean(self):
        cleaned = super().clean()
        adopted, target = cleaned.get("adopted_on"), cleaned.get("target_date")
        if adopted and target and target < adopted:
            self.add_error("target_date", _("The target date cannot be before the adoption date."))
        return cleaned


class LinkForm(forms.Form):
    recommendation = forms.IntegerField(
        label=_("Recommendation number"),
        min_value=1,
        help_text=_("The number shown next to the recommendation."),
    )
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=CommitmentLink.Relation.choices,
        initial=CommitmentLink.Relation.PARTIAL,
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences on why this commitment answers it."),
    )

    def __init__(self, *args, commitment=None, **kwargs):
        self.commitment = commitment
        super().__init__(*args, **kwargs)

    def clean_recommendation(self):
        pk = self.cleaned_data["recommendation"]
        rec = Recommendation.objects.filter(pk=pk).first()
        if rec is None:
            raise forms.ValidationError(
                _("There is no recommendation number %(number)s.") % {"number": pk}
            )
        if (
            self.commitment is not None
            and self.commitment.links.filter(recommendation=rec).exists()
        ):
            raise forms.ValidationError(_("This recommendation is already linked."))
        return rec


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["reported_on", "status", "summary", "summary_es", "evidence_url"]
        labels = {
            "reported_on": _("Date"),
            "status": _("Status"),
            "summary": _("What happened"),
            "evidence_url": _("Evidence URL"),
        }
        help_texts = {
            "reported_on": _("When it happened (or when you checked)."),
            "summary": _("A few sentences a resident can follow."),
            "summary_es": _("Optional. Shown to visitors reading in Spanish."),
            "evidence_url": _("A public page that shows it: minutes, a report, a press release."),
        }
        widgets = {
            "reported_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "summary_es": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"evidence_url": HttpURLField}

    def __init__(self, *args, commitment=None, **kwargs):
        self.commitment = commitment
        super().__init__(*args, **kwargs)
        for name in ("summary", "summary_es"):
            self.fields[name].max_length = MAX_TEXT
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT
        self.fields["summary_es"].validators.append(MaxLengthValidator(MAX_TEXT))

    def clean_summary(self):
        summary = self.cleaned_data.get("summary", "")
        if len(summary) > MAX_TEXT:
            raise forms.ValidationError(
                _("Keep this under %(count)s characters.") % {"count": MAX_TEXT}
            )
        return summary

    def clean_reported_on(self):
        reported = self.cleaned_data["reported_on"]
        adopted = self.commitment.adopted_on if self.commitment else None
        if adopted and reported < adopted:
            raise forms.ValidationError(_("The date cannot be before the commitment was adopted."))
        return reported


class ReviewDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the staff member. Required when returning a submission."),
    )
    # What the curator's page showed (moderation.review_state); a decision on anything
    # else is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    state = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def seen(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in ("version", "state")}


class MergeForm(forms.Form):
    """The two records, picked from the list on the merge page (their numbers) or typed:
    a number, a jurisdiction's slug, or an exact name."""

    survivor = forms.CharField(
        label=_("Survivor"),
        max_length=220,
        error_messages={"required": _("Pick the record to keep.")},
    )
    duplicate = forms.CharField(
        label=_("Duplicate"),
        max_length=220,
        error_messages={"required": _("Pick the duplicate to fold into it.")},
    )

    def __init__(self, *args, model=None, **kwargs):
        self.model = model
        super().__init__(*args, **kwargs)

    def _get(self, field):
        value = self.cleaned_data[field].strip()
        if value.isdigit():
            obj = self.model.objects.filter(pk=int(value)).first()
        else:
            name = "title" if self.model is Commitment else "name"
            by_name = list(self.model.objects.filter(**{f"{name}__iexact": value})[:2])
            if len(by_name) > 1:
                raise forms.ValidationError(
                    _("More than one record is called “%(value)s”: pick one from the list.")
                    % {"value": value}
                )
            obj = by_name[0] if by_name else None
            if obj is None and hasattr(self.model, "slug"):
                obj = self.model.objects.filter(slug=value).first()
        if obj is None:
            raise forms.ValidationError(_("There is no record “%(value)s”.") % {"value": value})
        return obj

    def clean_survivor(self):
        return self._get("survivor")

    def clean_duplicate(self):
        return self._get("duplicate")

    def clean(self):
        cleaned = super().clean()
        survivor, duplicate = cleaned.get("survivor"), cleaned.get("duplicate")
        if survivor and duplicate and survivor.pk == duplicate.pk:
            self.add_error("duplicate", _("Pick two different records."))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR
    )
    # The invitation, and later the staff digest, are written in this language.
    language = forms.ChoiceField(
        label=_("Language of their email"), choices=settings.LANGUAGES, required=False
    )

    def __init__(self, *args, roles=(), jurisdiction=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.jurisdiction = jurisdiction
        self.fields["role"].choices = [c for c in Membership.Role.choices if c[0] in roles]
        self.fields["language"].initial = site_language()

    def clean_language(self):
        return self.cleaned_data["language"] or site_language()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(
            jurisdiction=self.jurisdiction, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("This person is already a member."))
        return email


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Type it again"), widget=forms.PasswordInput)

    def __init__(self, *args, email="", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(email=self.email, username=self.email)
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class RecommendationEditForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "paragraph",
            "text",
            "text_es",
            "response",
            "response_note",
            "action_category",
            "themes",
        ]
        labels = {
            "paragraph": _("Paragraph"),
            "text": _("Text"),
            "response": _("Response"),
            "response_note": _("Response note"),
            "action_category": _("Action category"),
            "themes": _("Themes"),
        }
        help_texts = {"text_es": _("The UN's Spanish text, usually from the Spanish report table.")}
        widgets = {"themes": forms.SelectMultiple(attrs={"size": 8})}
        field_classes = {"themes": ModelMultipleChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = MAX_TEXT

    def validate_unique(self):
        super().validate_unique()
        # Django checks only constraints whose fields are all on the form, and the review
        # is not, so a paragraph already used in the review would reach the database.
        try:
            self.instance.validate_constraints(
                exclude={f.name for f in Recommendation._meta.fields} - {"review", "paragraph"}
            )
        except forms.ValidationError as error:
            self.add_error("paragraph", error.messages)

    def save(self, commit=True):
        recommendation = super().save(commit)
        if commit and "text" in self.changed_data:
            # "Recommended again" is computed on write, never when the page is viewed.
            refresh_recommended_again(Recommendation.objects.filter(pk=recommendation.pk))
        return recommendation


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["vocabulary", "name", "name_es", "parent", "description", "synonyms"]
        labels = {
            "vocabulary": _("Vocabulary"),
            "name": _("Name"),
            "parent": _("Parent"),
            "description": _("Description"),
            "synonyms": _("Synonyms"),
        }
        help_texts = {"name_es": _("Optional. Shown to visitors reading in Spanish.")}

    def save(self, commit=True):
        theme = super().save(commit=False)
        if not theme.slug:
            theme.slug = Theme.make_slug(theme.vocabulary, theme.name)
        if commit:
            theme.save()
        return theme


class CalendarEntryForm(forms.ModelForm):
    class Meta:
        model = CalendarEntry
        fields = ["review", "kind", "starts_on", "ends_on", "title", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The public calendar follows the United States' reviews (CalendarEntry.for_calendar).
        self.fields["review"].queryset = Review.objects.filter(
            state_under_review__iso3=HOME_STATE
        ).select_related("state_under_review")
        self.fields["note"].widget.attrs["maxlength"] = MAX_TEXT
        self.fields["note"].validators.append(MaxLengthValidator(MAX_TEXT))


# The largest commitment CSV; commitment_import checks the same on the bytes it is given.
CSV_MAX_BYTES = 2 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with the columns described below, at most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked on the stored upload's size, before a byte of it is read into memory.
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is 2 MB. Split it into smaller files.")
                % {"size": upload.size / (1024 * 1024)}
            )
        return upload


class SpreadsheetForm(ImportForm):
    file = forms.FileField(
        label=_("Edited file"),
        help_text=_("The .xlsx or .csv file you downloaded here, edited; at most 2 MB."),
    )

    def clean_file(self):
        upload = super().clean_file()
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        return upload
