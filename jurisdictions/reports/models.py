"""Saved reports and background builds of large ones. Imported by jurisdictions.models so
that Django registers them with the jurisdictions app."""

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    SUBMISSION = "submission", _("Stakeholder submission")
    LOCAL = "local", _("Local implementation report")
    BRIEFING = "briefing", _("Briefing")


class WordLimit(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual submission (2,815 words)")
    JOINT = "joint", _("Joint submission (5,630 words)")
    NONE = "none", _("No limit")


WORD_LIMITS = {WordLimit.INDIVIDUAL: 2815, WordLimit.JOINT: 5630, WordLimit.NONE: None}


# The columns apply_spec() writes.
SPEC_FIELDS = [
    "kind",
    "word_limit",
    "query",
    "recommendation_ids",
    "state",
    "title",
    "organisations",
    "introduction",
    "assessments",
    "language",
]


class Report(models.Model):
    """A report a staff member saved: what it selects and the texts they wrote. The
    selection is kept as the /recommendations/ parameters plus hand-picked ids, so the
    report follows the data when commitments change."""

    Kind = ReportKind
    Limit = WordLimit

    # The report's address: readable by whoever holds the link, never guessable.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SUBMISSION)
    word_limit = models.CharField(max_length=12, choices=Limit.choices, default=Limit.NONE)
    query = models.TextField(blank=True, help_text=_("The /recommendations/ filter parameters."))
    recommendation_ids = models.JSONField(default=list, blank=True)
    # The state under review chosen in the builder when the selection spans several
    # (ISO 3166 alpha-3); empty lets the builder choose as it does for a new report.
    state = models.CharField(max_length=3, blank=True)
    title = models.CharField(max_length=300)
    organisations = models.CharField(max_length=500, blank=True)
    introduction = models.TextField(blank=True)
    assessments = models.JSONField(
        default=dict, blank=True, help_text=_("Recommendation id to the author's assessment.")
    )
    # The language the report is written in: its headings, labels and dates.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # Bumped by every save; a save from a form opened at an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "jurisdictions"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_report_kind_valid", condition=Q(kind__in=ReportKind.values)
            ),
            models.CheckConstraint(
                name="jurisdictions_report_limit_valid",
                condition=Q(word_limit__in=WordLimit.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_report_language_valid",
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.token])

    def save_over(self, version: str, spec: dict) -> bool:
        """Saves `spec` if the report is still at `version` (what the form was opened
        at); False, changing nothing, if someone saved it since."""
        if not str(version).isdigit():
            return False
        self.apply_spec(spec)
        fields = {name: getattr(self, name) for name in SPEC_FIELDS}
        saved = Report.objects.filter(pk=self.pk, version=int(version)).update(
            **fields, version=F("version") + 1, updated_at=timezone.now()
        )
        return bool(saved)

    def spec(self) -> dict:
        return {
            "kind": self.kind,
            "limit": self.word_limit,
            "query": self.query,
            # An empty list means "no hand-picked set": the filters alone select.
            "ids": list(self.recommendation_ids) or None,
            "state": self.state,
            "title": self.title,
            "organisations": self.organisations,
            "introduction": self.introduction,
            "assessments": dict(self.assessments),
            "language": self.language,
        }

    def apply_spec(self, spec: dict) -> None:
        self.kind = spec["kind"]
        self.word_limit = spec["limit"]
        self.query = spec["query"]
        self.recommendation_ids = spec["ids"] or []
        self.state = spec.get("state", "")
        self.title = spec["title"]
        self.organisations = spec["organisations"]
        self.introduction = spec["introduction"]
        self.assessments = spec["assessments"]
        self.language = spec.get("language", "en")


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_BUILD = [BuildStatus.QUEUED, BuildStatus.RUNNING]


def spec_hash(spec: dict, fmt: str) -> str:
    """The fingerprint of one build: two requests for the same file share it."""
    canonical = json.dumps({"format": fmt, "spec": spec}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ReportBuild(models.Model):
    """One background build of a large report into a file; its random token is the
    address of its progress page, so visitors without an account can follow it.

    At most one build per spec is queued or running at a time (the constraint below), and
    a finished one is reused for a while (builder.py), so asking again costs nothing. The
    worker building holds the advisory lock named by lock_name; a running build whose lock
    is free has lost its worker and is started again (tasks.maintain_report_builds)."""

    Status = BuildStatus

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    spec = models.JSONField(help_text=_("Kind, selection and texts, as the builder sent them."))
    spec_hash = models.CharField(max_length=64, db_index=True, editable=False, default="")
    format = models.CharField(max_length=4, choices=[("docx", "Word"), ("pdf", "PDF")])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "jurisdictions"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                name="jurisdictions_reportbuild_one_active_per_spec",
                fields=["spec_hash"],
                condition=Q(status__in=ACTIVE_BUILD),
            ),
            models.CheckConstraint(
                name="jurisdictions_reportbuild_status_valid",
                condition=Q(status__in=BuildStatus.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_reportbuild_format_valid",
                condition=Q(format__in=["docx", "pdf"]),
            ),
        ]

    def __str__(self):
        return f"{self.spec.get('title', 'Report')} ({self.format}, {self.status})"

    def get_absolute_url(self):
        return reverse("reports:build", args=[self.token])

    @property
    def lock_name(self) -> str:
        return f"report-build-{self.pk}"

    @property
    def percent_done(self) -> int:
        if self.status == BuildStatus.SUCCEEDED:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
