"""US jurisdictions, the networks they join, and what they commit to.

Longer than the project's usual module: Django looks for an app's models here, and the
commitment, its links, updates and evidence, the staff memberships and invitations, the
subscriptions and the kept theme counts share constraints and querysets that read best
together.
"""

import hashlib
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from recommendations.bilingual import Bilingual
from recommendations.choice_labels import ChoiceLabels
from recommendations.models import Recommendation, Theme, spanish_search_vector
from recommendations.schema import SEARCH_CONFIG

from .arrays import Overlaps
from .publication import Publication


class JurisdictionKind(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    STATE = "state", _("State")
    TERRITORY = "territory", _("Territory")
    COUNTY = "county", _("County")
    CITY = "city", _("City or town")
    TRIBAL = "tribal", _("Tribal nation")
    SPECIAL = "special", _("Special district")


class Jurisdiction(ChoiceLabels, models.Model):
    Kind = JurisdictionKind

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The Census GEOID: the FIPS code of a state (2 digits) or county (5), the place code
    # of a city (7); "US" for the federal level; empty where none exists (tribal nations,
    # special districts). The API and exports call it geoid.
    fips = models.CharField(_("Census GEOID (FIPS)"), max_length=12, blank=True)
    # The Open Civic Data division identifier, e.g. ocd-division/country:us/state:pa, which
    # other civic data (Open States, Cicero) key on; empty where none is known.
    ocd_id = models.CharField(
        _("Open Civic Data division id"),
        max_length=200,
        blank=True,
        help_text=_("For example ocd-division/country:us/state:pa/place:pittsburgh."),
    )
    state_code = models.CharField(
        max_length=2, blank=True, help_text=_("USPS code of the state or territory it lies in.")
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fips"], condition=~Q(fips=""), name="jurisdictions_jurisdiction_fips"
            ),
            models.UniqueConstraint(
                fields=["ocd_id"],
                condition=~Q(ocd_id=""),
                name="jurisdictions_jurisdiction_ocd_id",
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

    @property
    def geoid(self) -> str:
        """The Census GEOID, where there is one ("US", the federal level's code, is not)."""
        return self.fips if self.fips.isdigit() else ""

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A jurisdiction cannot be its own parent.")})


class NetworkKind(models.TextChoices):
    NETWORK = "network", _("Network")
    CAMPAIGN = "campaign", _("Campaign")
    PLEDGE = "pledge", _("Joint pledge")
    REVIEW = "review", _("Voluntary review")


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
                condition=Q(kind__in=NetworkKind.values),
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


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication=Publication.PUBLISHED)

    def for_list(self):
        return self.select_related("jurisdiction").prefetch_related("themes")

    def for_export(self):
        """Published commitments with what a row of the CSV/JSON export or the API
        names: the jurisdiction, the themes and the linked recommendations' public ids."""
        return (
            self.published()
            .select_related("jurisdiction")
            .prefetch_related(
                "themes",
                models.Prefetch(
                    "links",
                    CommitmentLink.objects.select_related("recommendation").only(
                        "commitment", "recommendation__public_id"
                    ),
                ),
            )
        )

    def on_themes(self, themes):
        """A theme's local action: commitments linked to a recommendation tagged with the
        theme (in whichever vocabulary) or tagged with the theme themselves; a parent
        theme covers its narrower themes. Chain after published() for public pages. The
        theme page, the theme feed, the digest and the commitment filter all read this
        one definition, and the kept counts (ThemeActionCount, ThemeJurisdictionCount)
        count it. Each commitment carries the themes it is on, broader ones included
        (theme_ids, kept by the triggers of schema.py): one GIN lookup, no walk down the
        tree."""
        return self.filter(Overlaps("theme_ids", (getattr(t, "pk", t) for t in themes)))

    def statuses_on(self, day) -> dict[int, str]:
        """Commitment id to the status the public saw at the end of ``day``: that of its
        last published version recorded by then; commitments not yet published by then
        are left out. The change history is the one record of status changes (see
        progress/status.py); one query, whatever the number of commitments."""
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return dict(
            Commitment.history.filter(
                id__in=self.values("pk"),
                publication=Publication.PUBLISHED,
                history_date__lt=end,
            )
            .order_by("id", "-history_date", "-history_id")
            .distinct("id")
            .values_list("id", "status")
        )

    def rollup(self, today=None):
        """Counts and shares of these commitments on track, late and done (the one
        definition, in progress/rollups.py)."""
        from .progress.rollups import rollup

        return rollup(self, today)


class CommitmentKind(models.TextChoices):
    ORDINANCE = "ordinance", _("Ordinance")
    RESOLUTION = "resolution", _("Resolution")
    EXECUTIVE_ORDER = "executive_order", _("Executive order")
    LAW = "law", _("Law")
    BUDGET = "budget", _("Budget")
    PROGRAM = "program", _("Program")
    POLICY = "policy", _("Policy")
    PLEDGE = "pledge", _("Pledge")
    PROCLAMATION = "proclamation", _("Proclamation")
    REPORT = "report", _("Report")


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    STALLED = "stalled", _("Stalled")
    REPEALED = "repealed", _("Repealed")


class Commitment(ChoiceLabels, Bilingual, models.Model):
    Kind = CommitmentKind

    Status = CommitmentStatus

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="commitments"
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    instrument_ref = models.CharField(
        _("instrument reference"),
        max_length=120,
        blank=True,
        help_text=_("The number the jurisdiction gave it, e.g. “Ordinance 34-2016”."),
    )
    summary = models.TextField(blank=True, help_text=_("What it does, in a few plain sentences."))
    # The Spanish versions staff may add (recommendations/bilingual.py chooses which shows).
    title_es = models.CharField(_("title in Spanish"), max_length=300, blank=True, db_default="")
    summary_es = models.TextField(_("summary in Spanish"), blank=True, db_default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ADOPTED)
    adopted_on = models.DateField(null=True, blank=True)
    target_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("When it is meant to be fully in place, if a date was set."),
    )
    responsible_office = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(
        _("source URL"),
        max_length=1000,
        blank=True,
        help_text=_("The official text or announcement."),
    )
    themes = models.ManyToManyField(Theme, related_name="commitments", blank=True)
    recommendations = models.ManyToManyField(
        Recommendation, through="CommitmentLink", related_name="commitments", blank=True
    )
    # "Adopt a similar commitment": the other place's published commitment this one was
    # started from (its links, themes and kind were copied; the text is the staff's own).
    modelled_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
        editable=False,
    )

    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_note = models.TextField(blank=True, help_text=_("The curator's reason, shown to staff."))
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

    # Title weighs more than summary; English stemming over unaccented words, so that
    # "Mexico" finds "México" (the configuration is declared in recommendations/schema.py).
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The Spanish title and summary with Spanish stemming (recommendations.text_search).
    search_vector_es = models.GeneratedField(
        expression=spanish_search_vector(("title_es", "A"), ("summary_es", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "search_vector_es",
            "is_overdue",
            "is_stale",
            "updated_at",
        ]
    )
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_commitment_kind_valid",
                condition=Q(kind__in=CommitmentKind.values),
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
                violation_error_message=_("The target date cannot be before the adoption date."),
            ),
        ]
        indexes = [
            # /commitments/ filters on publication plus status or kind.
            models.Index(fields=["publication", "status"], name="jurisdictions_com_pub_status"),
            models.Index(fields=["jurisdiction", "publication"], name="jurisdictions_com_jur_pub"),
            # The latest published: the theme page (a popular theme's first 20 are read in
            # index order) and the home page.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(publication=Publication.PUBLISHED),
                name="jurisdictions_com_latest",
            ),
            # ?q= on /commitments/
            GinIndex(fields=["search_vector"], name="jurisdictions_com_search"),
            GinIndex(fields=["search_vector_es"], name="jurisdictions_com_search_es"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jurisdictions:commitment-detail", args=[self.pk])

    def clean(self):
        if self.adopted_on and self.target_date and self.target_date < self.adopted_on:
            raise ValidationError(
                {"target_date": _("The target date cannot be before the adoption date.")}
            )

    def status_on(self, day):
        """The status the public saw at the end of ``day`` (None before its first
        publication); see CommitmentQuerySet.statuses_on."""
        return Commitment.objects.filter(pk=self.pk).statuses_on(day).get(self.pk)


class ThemeActionCountQuerySet(models.QuerySet):
    def by_theme(self) -> dict[int, int]:
        """Theme id to how many published commitments are on it (on_themes), for /themes/."""
        return dict(self.filter(commitments__gt=0).values_list("theme_id", "commitments"))

    def for_theme(self, theme, leading: int = 30) -> dict:
        """A theme's published local action for its page: how many commitments, how many
        jurisdictions act, and the `leading` jurisdictions with most commitments (each
        with .n), most first."""
        commitments, jurisdictions = self.filter(theme=theme).values_list(
            "commitments", "jurisdictions"
        ).first() or (0, 0)
        return {
            "commitments": commitments,
            "jurisdictions": jurisdictions,
            "leading": ThemeJurisdictionCount.objects.leading(theme, leading),
        }


class ThemeActionCount(models.Model):
    """A theme's published local action (Commitment.objects.on_themes) counted: the
    commitments and the jurisdictions behind them, for /themes/ and the theme page. Kept
    by the triggers of schema.py as commitments, their themes and links, their
    recommendations' themes and the theme tree change; repaired daily
    (denormalised.repair_theme_counts). No database foreign key: a trigger may count for
    a theme whose deletion is under way."""

    theme = models.OneToOneField(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    commitments = models.IntegerField(default=0)
    jurisdictions = models.IntegerField(default=0)

    objects = ThemeActionCountQuerySet.as_manager()

    def __str__(self):
        return f"{self.theme_id}: {self.commitments} commitments"


class ThemeJurisdictionCountQuerySet(models.QuerySet):
    def leading(self, theme, limit: int) -> list[Jurisdiction]:
        """The `limit` jurisdictions with most published commitments on the theme (ties
        by name), each with .n. Only rows at or above the limit-th largest count can make
        the list: those few are joined and sorted, not all the theme's jurisdictions."""
        rows = self.filter(theme=theme, commitments__gt=0)
        floor = rows.order_by("-commitments").values("commitments")[limit - 1 : limit]
        top = (
            rows.filter(commitments__gte=Coalesce(Subquery(floor), 1))
            .select_related("jurisdiction")
            .order_by("-commitments", "jurisdiction__name", "jurisdiction_id")[:limit]
        )
        jurisdictions = []
        for row in top:
            row.jurisdiction.n = row.commitments
            jurisdictions.append(row.jurisdiction)
        return jurisdictions

    def themes_of(self, jurisdiction, limit: int) -> list[Theme]:
        """The `limit` themes with most of the jurisdiction's published commitments (ties
        by name), each with .n: the same figures as the theme pages' "Who acted"."""
        rows = (
            self.filter(jurisdiction=jurisdiction, commitments__gt=0)
            .select_related("theme")
            .order_by("-commitments", "theme__name", "theme_id")[:limit]
        )
        themes = []
        for row in rows:
            row.theme.n = row.commitments
            themes.append(row.theme)
        return themes


class ThemeJurisdictionCount(models.Model):
    """Published commitments of one jurisdiction on one theme (its share of the theme's
    local action), for the theme page's "Who acted" and the jurisdiction page's themes.
    Kept with ThemeActionCount; rows that fall to zero stay."""

    theme = models.ForeignKey(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    commitments = models.IntegerField(default=0)

    objects = ThemeJurisdictionCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "jurisdiction"], name="jurisdictions_themejur_key"
            ),
        ]
        indexes = [
            # The theme page: a theme's jurisdictions, most commitments first.
            models.Index(fields=["theme", "-commitments"], name="jurisdictions_themejur_top"),
        ]

    def __str__(self):
        return f"{self.theme_id} in {self.jurisdiction_id}: {self.commitments}"


class Relation(models.TextChoices):
    IMPLEMENTS = "implements", _("Implements")
    PARTIAL = "partial", _("Partially addresses")
    CONTRADICTS = "contradicts", _("Contradicts")
    ROLLS_BACK = "rolls_back", _("Rolls back")


class CommitmentLinkQuerySet(models.QuerySet):
    def published(self):
        """Links of published commitments: what the API, the bulk files and the widgets
        show."""
        return self.filter(commitment__publication=Publication.PUBLISHED)


class CommitmentLink(models.Model):
    Relation = Relation

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="links")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="commitment_links"
    )
    relation = models.CharField(max_length=12, choices=Relation.choices, default=Relation.PARTIAL)
    rationale = models.TextField(blank=True, help_text=_("Why this commitment answers it."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped when the spreadsheet upload changes the relation or rationale, so a row edited
    # from an older download is caught. The database default serves writers that insert
    # links in SQL (the benchmark generator, the trigger tests).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()
    objects = CommitmentLinkQuerySet.as_manager()

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


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self):
        """Published updates of published commitments, the only ones shown publicly."""
        return self.filter(
            publication=Publication.PUBLISHED, commitment__publication=Publication.PUBLISHED
        )


class ProgressUpdate(Bilingual, models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField()
    status = models.CharField(
        _("new status"),
        max_length=12,
        choices=Commitment.Status.choices,
        blank=True,
        help_text=_("Leave empty if the status did not change."),
    )
    summary = models.TextField(_("what happened"))
    summary_es = models.TextField(_("what happened, in Spanish"), blank=True, db_default="")
    evidence_url = models.URLField(_("evidence URL"), max_length=1000, blank=True)
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
    objects = ProgressUpdateQuerySet.as_manager()

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


class EvidenceLinkQuerySet(models.QuerySet):
    def dead(self):
        """Links that failed two checks in a row: curators and staff see these."""
        return self.filter(is_dead=True)


class EvidenceLink(models.Model):
    """One URL cited as a source or evidence, with what the link checker last saw."""

    url = models.URLField(max_length=1000, unique=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    is_dead = models.BooleanField(
        default=False, help_text=_("Failed on two checks in a row; shown to curators and staff.")
    )

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        indexes = [
            models.Index(fields=["is_dead"], name="jurisdictions_evid_dead"),
        ]

    def __str__(self):
        return self.url


def site_language(code: str | None = None) -> str:
    """`code`, by default the active language, as one of settings.LANGUAGES (a regional
    variant as its language: es-MX is es); English when none fits."""
    try:
        return translation.get_supported_language_variant(
            code or translation.get_language() or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


def mail_language_field():
    """The language a person's mail is written in: the one they used when they subscribed
    or were invited (the page's, or the inviter's choice)."""
    return models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")


class MembershipRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")


class MembershipQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("user", "jurisdiction")


class Membership(models.Model):
    """A staff member's right to edit one jurisdiction's records (not its children's)."""

    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)
    # The staff digest's language, from the invitation the member accepted.
    language = mail_language_field()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction"], name="jurisdictions_membership_unique"
            ),
            models.CheckConstraint(
                name="jurisdictions_membership_role_valid",
                condition=Q(role__in=MembershipRole.values),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.jurisdiction}"


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def create(self, *, token: str, **fields):
        """Stores only the token's hash; the raw token stays on the returned instance (as
        .token) for the emailed link and is never saved."""
        invitation = super().create(token_hash=hash_invitation_token(token), **fields)
        invitation.token = token
        return invitation

    def for_token(self, token: str):
        return self.filter(token_hash=hash_invitation_token(token))

    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())

    def withdraw(self, *, email: str, jurisdiction) -> int:
        """Ends the open invitations of `email` to `jurisdiction`, as when its member is
        removed: a second link sent earlier would otherwise let them straight back in.
        They expire rather than vanish: the rows still record who was invited, and when."""
        return (
            self.pending()
            .filter(email__iexact=email, jurisdiction=jurisdiction)
            .update(expires_at=timezone.now())
        )

    def claim(self, pk: int) -> bool:
        """Marks the invitation accepted unless it already is or has expired; one
        conditional UPDATE, so of two people accepting at once exactly one gets True."""
        now = timezone.now()
        return bool(
            self.filter(pk=pk, accepted_at__isnull=True, expires_at__gt=now).update(accepted_at=now)
        )


class Invitation(models.Model):
    """An emailed, expiring link that makes its holder a member of a jurisdiction."""

    Role = MembershipRole

    email = models.EmailField()
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    # SHA-256 of the emailed token: the database alone never holds a working link.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    language = mail_language_field()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_invitation_role_valid",
                condition=Q(role__in=MembershipRole.values),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.jurisdiction} ({self.get_role_display()})"


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class SubscriptionFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Subscription(models.Model):
    """A public email subscription to one theme, jurisdiction, recommendation or saved
    search (follow/models.py). Only a search's digest can be daily."""

    Frequency = SubscriptionFrequency

    email = models.EmailField()
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    search = models.ForeignKey(
        "jurisdictions.SavedSearch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    frequency = models.CharField(
        max_length=6, choices=SubscriptionFrequency.choices, default=SubscriptionFrequency.WEEKLY
    )
    # Random and unguessable: it alone authorises confirming and unsubscribing.
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # End of the window covered by the last digest queued for it; the next one starts here.
    last_sent_at = models.DateTimeField(null=True, blank=True)
    language = mail_language_field()

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_subscription_one_target",
                condition=Q(
                    theme__isnull=False,
                    jurisdiction__isnull=True,
                    recommendation__isnull=True,
                    search__isnull=True,
                )
                | Q(
                    theme__isnull=True,
                    jurisdiction__isnull=False,
                    recommendation__isnull=True,
                    search__isnull=True,
                )
                | Q(
                    theme__isnull=True,
                    jurisdiction__isnull=True,
                    recommendation__isnull=False,
                    search__isnull=True,
                )
                | Q(
                    theme__isnull=True,
                    jurisdiction__isnull=True,
                    recommendation__isnull=True,
                    search__isnull=False,
                ),
            ),
            models.CheckConstraint(
                name="jurisdictions_subscription_frequency_valid",
                condition=Q(frequency__in=SubscriptionFrequency.values)
                & (Q(search__isnull=False) | Q(frequency=SubscriptionFrequency.WEEKLY)),
            ),
        ]
        indexes = [
            # The digest job: confirmed and still subscribed.
            models.Index(
                fields=["email"],
                condition=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
                name="jurisdictions_sub_active",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.target}"

    @property
    def target(self):
        return self.theme or self.jurisdiction or self.recommendation or self.search


class DigestKind(models.TextChoices):
    STAFF = "staff", _("Staff: overdue and stale commitments")
    SUBSCRIBER = "subscriber", _("Subscriber: new and changed commitments")
    PEER = "peer", _("Staff: new commitments elsewhere on the recommendations they answer")
    SEARCH = "search", _("Saved search: what changed within it")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class DigestDelivery(models.Model):
    """One digest email for one recipient and one week; the unique key stops a second copy.

    The sender claims the row by a conditional UPDATE from pending to sending, so only one
    worker ever sends it; a failed send puts it back to pending for a retry.
    """

    Kind = DigestKind
    Status = DeliveryStatus

    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.DateField(
        help_text=_("Monday of the week the digest belongs to (the day, for a daily one).")
    )
    # A saved search's digest is one mail per subscription and period (follow/digests.py).
    search_subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="digests"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Sent as the List-Unsubscribe header: mail clients show it as a one-click way out.
    unsubscribe_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "email"]
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "kind", "period"],
                condition=Q(search_subscription__isnull=True),
                name="jurisdictions_digestdelivery_once",
            ),
            models.UniqueConstraint(
                fields=["search_subscription", "period"],
                condition=Q(search_subscription__isnull=False),
                name="jurisdictions_digestdelivery_search_once",
            ),
            models.CheckConstraint(
                name="jurisdictions_digestdelivery_kind_valid",
                condition=Q(kind__in=DigestKind.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_digestdelivery_status_valid",
                condition=Q(status__in=DeliveryStatus.values),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} digest to {self.email}, week of {self.period}"


class StaffDigestOptOut(models.Model):
    """A staff member who turned the weekly staff digest off from the link in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_digest_opt_out"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"No staff digest for {self.user}"


class PeerDigestFollow(models.Model):
    """A staff member who asked, on the staff home, for the weekly peer digest: commitments
    other jurisdictions published on the recommendations their own jurisdictions answer
    (peer_digest.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_digest"
    )
    # The next digest lists commitments first published after this moment: the opt-in,
    # then the end of the last digest sent.
    since = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Peer digest for {self.user}"


# Reports live in their own package; importing them here registers them with this app.
# So do saved searches and webhooks.
from .follow.models import OutboxEvent  # noqa: E402, F401, I001
from .follow.models import SavedSearch, Webhook, WebhookAttempt, WebhookDelivery  # noqa: E402, F401, I001
from .progress.models import Indicator, Measurement, Milestone  # noqa: E402, F401
from .reports.models import Report, ReportBuild  # noqa: E402, F401
