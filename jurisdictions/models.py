"""US jurisdictions, the networks they join, and what they commit to."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from recommendations.models import Recommendation, Theme


class JurisdictionKind(models.TextChoices):
    FEDERAL = "federal", "Federal"
    STATE = "state", "State"
    TERRITORY = "territory", "Territory"
    COUNTY = "county", "County"
    CITY = "city", "City or town"
    TRIBAL = "tribal", "Tribal nation"
    SPECIAL = "special", "Special district"


class Jurisdiction(models.Model):
    Kind = JurisdictionKind

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # FIPS for states and counties, Census GEOID for places; empty where none exists.
    fips = models.CharField("FIPS / GEOID", max_length=12, blank=True)
    state_code = models.CharField(
        max_length=2, blank=True, help_text="USPS code of the state or territory it lies in."
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fips"], condition=~Q(fips=""), name="jurisdictions_jurisdiction_fips"
            ),
            models.CheckConstraint(
                name="jurisdictions_jurisdiction_kind_valid",
                condition=Q(kind__in=JurisdictionKind.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_jurisdiction_not_own_parent", condition=~Q(parent=F("id"))
            ),
        ]
        indexes = [
            # /jurisdictions/?kind=&state=
            models.Index(fields=["state_code", "kind"], name="jurisdictions_jur_state_kind"),
        ]

    def __str__(self):
        if self.kind in {self.Kind.COUNTY, self.Kind.CITY, self.Kind.SPECIAL} and self.state_code:
            return f"{self.name}, {self.state_code}"
        return self.name

    def get_absolute_url(self):
        return reverse("jurisdictions:jurisdiction-detail", args=[self.slug])

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A jurisdiction cannot be its own parent."})


class NetworkKind(models.TextChoices):
    NETWORK = "network", "Network"
    CAMPAIGN = "campaign", "Campaign"
    PLEDGE = "pledge", "Joint pledge"
    REVIEW = "review", "Voluntary review"


class Network(models.Model):
    """A network, campaign or joint pledge that jurisdictions join."""

    Kind = NetworkKind

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NETWORK)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    members = models.ManyToManyField(
        Jurisdiction, through="NetworkMembership", related_name="networks", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_network_kind_valid",
                condition=Q(kind__in=JurisdictionKind.values),
            ),
        ]

    def __str__(self):
        return self.name


class NetworkMembership(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="network_memberships"
    )
    joined_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["network", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "jurisdiction"], name="jurisdictions_networkmembership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} in {self.network}"


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Returned by curator"


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication=Publication.PUBLISHED)

    def for_list(self):
        return self.select_related("jurisdiction").prefetch_related("themes")


class CommitmentKind(models.TextChoices):
    ORDINANCE = "ordinance", "Ordinance"
    RESOLUTION = "resolution", "Resolution"
    EXECUTIVE_ORDER = "executive_order", "Executive order"
    LAW = "law", "Law"
    BUDGET = "budget", "Budget"
    PROGRAM = "program", "Program"
    POLICY = "policy", "Policy"
    PLEDGE = "pledge", "Pledge"
    PROCLAMATION = "proclamation", "Proclamation"
    REPORT = "report", "Report"


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ADOPTED = "adopted", "Adopted"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    STALLED = "stalled", "Stalled"
    REPEALED = "repealed", "Repealed"


class Commitment(models.Model):
    Kind = CommitmentKind

    Status = CommitmentStatus

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="commitments"
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    instrument_ref = models.CharField(
        "instrument reference",
        max_length=120,
        blank=True,
        help_text="The number the jurisdiction gave it, e.g. “Ordinance 34-2016”.",
    )
    summary = models.TextField(blank=True, help_text="What it does, in a few plain sentences.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ADOPTED)
    adopted_on = models.DateField(null=True, blank=True)
    target_date = models.DateField(
        null=True, blank=True, help_text="When it is meant to be fully in place, if a date was set."
    )
    responsible_office = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(
        "source URL", max_length=1000, blank=True, help_text="The official text or announcement."
    )
    themes = models.ManyToManyField(Theme, related_name="commitments", blank=True)
    recommendations = models.ManyToManyField(
        Recommendation, through="CommitmentLink", related_name="commitments", blank=True
    )

    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_note = models.TextField(blank=True, help_text="The curator's reason, shown to staff.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save through a form so a second editor's stale save is caught.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Kept fresh by the daily status job.
    is_overdue = models.BooleanField(default=False, editable=False)
    is_stale = models.BooleanField(default=False, editable=False)

    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["search_vector", "is_overdue", "is_stale", "updated_at"]
    )
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_commitment_kind_valid",
                condition=Q(kind__in=JurisdictionKind.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_commitment_status_valid",
                condition=Q(status__in=CommitmentStatus.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_commitment_publication_valid",
                condition=Q(publication__in=Publication.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_commitment_dates_in_order",
                condition=Q(adopted_on__isnull=True)
                | Q(target_date__isnull=True)
                | Q(target_date__gte=F("adopted_on")),
            ),
        ]
        indexes = [
            # /commitments/ filters on publication plus status or kind.
            models.Index(fields=["publication", "status"], name="jurisdictions_com_pub_status"),
            models.Index(fields=["jurisdiction", "publication"], name="jurisdictions_com_jur_pub"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jurisdictions:commitment-detail", args=[self.pk])

    def clean(self):
        if self.adopted_on and self.target_date and self.target_date < self.adopted_on:
            raise ValidationError(
                {"target_date": "The target date cannot be before the adoption date."}
            )


class Relation(models.TextChoices):
    IMPLEMENTS = "implements", "Implements"
    PARTIAL = "partial", "Partially addresses"
    CONTRADICTS = "contradicts", "Contradicts"
    ROLLS_BACK = "rolls_back", "Rolls back"


class CommitmentLink(models.Model):
    Relation = Relation

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="links")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="commitment_links"
    )
    relation = models.CharField(max_length=12, choices=Relation.choices, default=Relation.PARTIAL)
    rationale = models.TextField(blank=True, help_text="Why this commitment answers it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "recommendation"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "recommendation"], name="jurisdictions_commitmentlink_unique"
            ),
            models.CheckConstraint(
                name="jurisdictions_commitmentlink_relation_valid",
                condition=Q(relation__in=Relation.values),
            ),
        ]

    def __str__(self):
        return f"{self.commitment} {self.get_relation_display().lower()} {self.recommendation}"


class ProgressUpdate(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField()
    status = models.CharField(
        "new status",
        max_length=12,
        choices=Commitment.Status.choices,
        blank=True,
        help_text="Leave empty if the status did not change.",
    )
    summary = models.TextField("what happened")
    evidence_url = models.URLField("evidence URL", max_length=1000, blank=True)
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_progressupdate_status_valid",
                condition=Q(status__in=["", *CommitmentStatus.values]),
            ),
            models.CheckConstraint(
                name="jurisdictions_progressupdate_publication_valid",
                condition=Q(publication__in=Publication.values),
            ),
        ]
        indexes = [
            # Staleness: latest update per commitment.
            models.Index(fields=["commitment", "reported_on"], name="jurisdictions_upd_latest"),
        ]

    def __str__(self):
        return f"{self.commitment} – {self.reported_on}"


class EvidenceLink(models.Model):
    """One URL cited as a source or evidence, with what the link checker last saw."""

    url = models.URLField(max_length=1000, unique=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    is_dead = models.BooleanField(
        default=False, help_text="Failed on two checks in a row; shown to curators and staff."
    )

    class Meta:
        ordering = ["url"]
        indexes = [
            models.Index(fields=["is_dead"], name="jurisdictions_evid_dead"),
        ]

    def __str__(self):
        return self.url
