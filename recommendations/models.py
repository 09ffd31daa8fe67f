"""Reference data and recommendations from the Universal Periodic Review.

One module for the app's models, as Django expects; it is long because each model keeps
its constraints, indexes and the queryset methods the pages use next to it."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import sessions
from .bilingual import Bilingual
from .choice_labels import ChoiceLabels
from .citations import cite
from .country_names import CountryNames
from .schema import SEARCH_CONFIG, SPANISH_CONFIGS


class RegionalGroup(models.TextChoices):
    AFRICAN = "african", _("African Group")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific Group")
    EEG = "eeg", _("Eastern European Group")
    GRULAC = "grulac", _("Latin American and Caribbean Group")
    WEOG = "weog", _("Western European and Others Group")


class CountryQuerySet(models.QuerySet):
    def name_index(self) -> dict[str, "Country"]:
        """Every spelling a source may use (name, formal name, aliases), normalised."""
        index = {}
        for country in self:
            for name in (country.name, country.formal_name, *country.aliases, country.iso3):
                if name:
                    index[normalise_name(name)] = country
        return index


def normalise_name(name: str) -> str:
    cleaned = name.replace("\u2019", "'").replace("&", "and").casefold()
    return " ".join(cleaned.replace(",", " ").split())


class CountryKind(models.TextChoices):
    STATE = "state", _("UN member state")
    OBSERVER = "observer", _("Observer")
    GROUP = "group", _("Group of states")


class Country(models.Model):
    """A recommending state or a state under review; observers and groups fit too."""

    Kind = CountryKind

    # ISO 3166-1 alpha-3; groups get codes from the user-assigned X.. range.
    iso3 = models.CharField(_("ISO code"), max_length=3, unique=True)
    name = models.CharField(max_length=120, unique=True)
    formal_name = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text=_("Other spellings used by data sources.")
    )
    region = models.CharField(
        _("regional group"), max_length=16, choices=RegionalGroup.choices, blank=True
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATE)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                name="recommendations_country_kind_valid",
                condition=Q(kind__in=CountryKind.values),
            ),
            models.CheckConstraint(
                name="recommendations_country_region_valid",
                condition=Q(region__in=["", *RegionalGroup.values]),
            ),
            models.CheckConstraint(
                name="recommendations_country_iso3_upper",
                condition=Q(iso3__regex=r"^[A-Z]{3}$"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:country-detail", args=[self.iso3])

    def add_alias(self, spelling: str) -> bool:
        """Records another spelling of this state's name; False if it was known already.

        Known means known for any state, the way an import resolves names: the spelling
        reaches here from a form field a curator can edit, and "USA" made an alias of
        Cuba would send every later import's United States rows to Cuba."""
        spelling = " ".join(spelling.split())[:200]
        states = Country.objects.values_list("iso3", "name", "formal_name", "aliases")
        names = CountryNames(
            (iso3, name, [formal, *aliases]) for iso3, name, formal, aliases in states
        )
        if not spelling or names.resolve(spelling) is not None:
            return False
        self.aliases = [*self.aliases, spelling]
        self.save(update_fields=["aliases"])
        return True


# The state whose reviews the site follows: the home page counts only its reviews, and
# /recommendations/ shows them unless another state under review is chosen.
HOME_STATE = "USA"


def cycle_for_session(session: int) -> int:
    """UPR cycles are 14 Working Group sessions long, except the first (12)."""
    if session < 1:
        raise ValueError("A UPR session number starts at 1.")
    if session <= 12:
        return 1
    return 2 + (session - 13) // 14


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held, response pending")
    RESPONDED = "responded", _("Responded")
    POSTPONED = "postponed", _("Postponed")


class ReviewQuerySet(models.QuerySet):
    def for_index(self):
        """Every review with its state and number of recommendations, the United States'
        first (the site follows it), then by state and cycle."""
        return (
            self.select_related("state_under_review")
            .annotate(
                recommendation_count=models.Count("recommendations"),
                is_home=models.Case(
                    models.When(state_under_review__iso3=HOME_STATE, then=0),
                    default=1,
                ),
            )
            .order_by("is_home", "state_under_review__name", "cycle")
        )


class Review(models.Model):
    """One review of one state in one cycle, and the state's answer to it."""

    Status = ReviewStatus

    state_under_review = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="reviews"
    )
    cycle = models.PositiveSmallIntegerField()
    wg_session = models.PositiveSmallIntegerField(_("Working Group session"), null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    report_symbol = models.CharField(
        _("WG report symbol"), max_length=40, blank=True, help_text=_("For example A/HRC/46/15.")
    )
    response_symbol = models.CharField(
        _("response addendum symbol"),
        max_length=40,
        blank=True,
        help_text=_("For example A/HRC/46/15/Add.1."),
    )
    response_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(blank=True)
    # The last number given to a recommendation of this review without a paragraph
    # ("USA-2-n14"), kept by the insert trigger of schema.py: one row to bump rather
    # than a count of the review's numbered records per insert.
    public_numbers = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    # The change history of the review's dates, status and notes: the UPR calendar's
    # events of a review take their SEQUENCE and LAST-MODIFIED from it (ical.with_revision).
    history = HistoricalRecords(excluded_fields=["public_numbers"])
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["state_under_review__name", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["state_under_review", "cycle"], name="recommendations_review_state_cycle"
            ),
            models.CheckConstraint(
                name="recommendations_review_status_valid",
                condition=Q(status__in=ReviewStatus.values),
            ),
            models.CheckConstraint(
                name="recommendations_review_cycle_range", condition=Q(cycle__gte=1, cycle__lte=20)
            ),
        ]

    def __str__(self):
        return f"{self.state_under_review}, {self.cycle_label}"

    def get_absolute_url(self):
        return reverse("recommendations:review-detail", args=[self.pk])

    @property
    def year(self) -> int | None:
        day = self.review_date or self.response_date
        # A review known only by its session still has a year: the session calendar's.
        return day.year if day else sessions.year_of(self.wg_session)

    @property
    def cycle_label(self) -> str:
        """ "Cycle 3 (2020)": the cycle with the year this state was reviewed in it."""
        if self.year:
            return _("Cycle {n} ({year})").format(n=self.cycle, year=self.year)
        return _("Cycle {n}").format(n=self.cycle)

    def clean(self):
        if self.wg_session and cycle_for_session(self.wg_session) != self.cycle:
            raise ValidationError(
                {
                    "wg_session": _(
                        "Session {session} belongs to cycle {right}, not cycle {cycle}."
                    ).format(
                        session=self.wg_session,
                        right=cycle_for_session(self.wg_session),
                        cycle=self.cycle,
                    )
                }
            )


class CalendarEntryKind(models.TextChoices):
    """Dates of a review's cycle that the Review itself does not hold. Its session and
    its response are the review's own fields (review_date, wg_session, response_date):
    the calendar reads them there, so they have no kind here."""

    STAKEHOLDER_DEADLINE = "stakeholder_deadline", _("Deadline for stakeholder submissions")
    NATIONAL_REPORT = "national_report", _("National report due")
    MIDTERM_REPORT = "midterm_report", _("Mid-term report due")
    OTHER = "other", _("Other date")


class CalendarEntryQuerySet(models.QuerySet):
    def for_calendar(self):
        """Entries of the reviews of the state the site follows, in date order, with
        their review (the feed's summaries name the cycle)."""
        return (
            self.filter(review__state_under_review__iso3=HOME_STATE)
            .select_related("review__state_under_review")
            .order_by("starts_on", "kind", "pk")
        )


class CalendarEntry(models.Model):
    """A date of a review's cycle that curators keep for the public UPR calendar
    (/calendar/upr.ics) and that the review does not hold: the deadlines before the
    session and the mid-term report after it. Its change history gives the feed's
    SEQUENCE."""

    Kind = CalendarEntryKind

    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="calendar_entries",
        verbose_name=_("review"),
        help_text=_("The review and cycle the date belongs to."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(
        _("last day"),
        null=True,
        blank=True,
        help_text=_("For a date that spans several days; else leave empty."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_(
            "Leave empty to use the kind and the cycle, e.g. “National report due, UPR cycle 4”."
        ),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Shown with the date: its source, or that it is planned or approximate."),
    )

    history = HistoricalRecords()
    objects = CalendarEntryQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "kind", "id"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.CheckConstraint(
                name="recommendations_calendarentry_kind_valid",
                condition=Q(kind__in=CalendarEntryKind.values),
            ),
            models.CheckConstraint(
                name="recommendations_calendarentry_days_in_order",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                violation_error_message=_("The last day cannot come before the first."),
            ),
            # A cycle has one national report, one mid-term report... of a review; any
            # number of other dates. The demo seed upserts on it.
            models.UniqueConstraint(
                fields=["review", "kind"],
                condition=~Q(kind=CalendarEntryKind.OTHER),
                name="recommendations_calendarentry_one_per_kind",
                violation_error_message=_("This review already has a date of this kind."),
            ),
        ]

    def __str__(self):
        return f"{self.summary} ({self.starts_on})"

    @property
    def summary(self) -> str:
        if self.title:
            return self.title
        return _("%(kind)s, UPR cycle %(cycle)s") % {
            "kind": self.get_kind_display(),
            "cycle": self.review.cycle,
        }

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot come before the first.")})


class Vocabulary(models.TextChoices):
    UPR_INFO = "upr_info", _("UPR Info issue")
    UHRI = "uhri", _("UHRI theme")
    PROJECT = "project", _("UPR Tracker theme")


class ThemeQuerySet(models.QuerySet):
    def with_narrower(self, themes) -> list[int]:
        """The ids of `themes` and of every theme under them: a parent theme covers what
        its children cover. The hierarchy is shallow (UHRI has two levels), so one query
        per level."""
        ids = {t.pk if isinstance(t, Theme) else int(t) for t in themes}
        level = set(ids)
        while level:
            level = set(self.filter(parent__in=level).values_list("pk", flat=True)) - ids
            ids |= level
        return sorted(ids)


def theme_closures(themes) -> dict[int, list[int]]:
    """{theme id: its id and those of every theme under it} for `themes` (all of them:
    the parents of each are needed), computed in memory from their parent links."""
    children: dict[int, list[int]] = {}
    for theme in themes:
        if theme.parent_id:
            children.setdefault(theme.parent_id, []).append(theme.pk)
    closures = {}
    for theme in themes:
        found, level = {theme.pk}, [theme.pk]
        while level:
            level = [c for pk in level for c in children.get(pk, []) if c not in found]
            found.update(level)
        closures[theme.pk] = sorted(found)
    return closures


class Theme(Bilingual, models.Model):
    """A subject heading from one vocabulary; vocabularies stay apart but can be mapped."""

    Vocabulary = Vocabulary
    closures = staticmethod(theme_closures)

    vocabulary = models.CharField(max_length=10, choices=Vocabulary.choices)
    name = models.CharField(max_length=200)
    # The Spanish name, shown on Spanish pages (bilingual.py); empty: the name is shown.
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True, db_default="")
    slug = models.SlugField(max_length=220, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    related = models.ManyToManyField(
        "self", blank=True, help_text=_("Equivalent or overlapping themes in other vocabularies.")
    )
    description = models.TextField(blank=True)
    # Other words for the subject ("capital punishment" for Death penalty): a search that
    # is one of them, or the name, is offered the theme (recommendations/search_hints.py).
    synonyms = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        help_text=_(
            "Other words for this theme, separated by commas. A search for one of "
            "them offers the theme."
        ),
    )

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["vocabulary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "name"], name="recommendations_theme_name"
            ),
            models.CheckConstraint(
                name="recommendations_theme_vocabulary_valid",
                condition=Q(vocabulary__in=Vocabulary.values),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:theme-detail", args=[self.slug])

    @staticmethod
    def make_slug(vocabulary: str, name: str) -> str:
        # UPR Info and UHRI share names such as "Death penalty"; keep their slugs apart.
        prefix = {"upr_info": "upr-info-", "uhri": "", "project": "t-"}[vocabulary]
        return (prefix + slugify(name))[:220]

    def clean(self):
        if self.parent_id and self.parent.vocabulary != self.vocabulary:
            raise ValidationError({"parent": _("A parent theme must be from the same vocabulary.")})
        if self.pk and self.parent_id and self.pk in self.ancestor_ids(self.parent_id):
            # A loop would make a theme cover itself and its own ancestors.
            raise ValidationError({"parent": _("A theme cannot be placed under itself.")})

    @staticmethod
    def ancestor_ids(theme_id: int) -> list[int]:
        """`theme_id` and the ids above it, nearest first; stops at a loop already stored."""
        chain = []
        while theme_id and theme_id not in chain:
            chain.append(theme_id)
            theme_id = Theme.objects.filter(pk=theme_id).values_list("parent_id", flat=True).first()
        return chain


class AffectedGroup(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SdgGoal(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                name="recommendations_sdggoal_number_range",
                condition=Q(number__gte=1, number__lte=17),
            )
        ]

    def __str__(self):
        return f"Goal {self.number}: {self.title}"


class SdgTarget(models.Model):
    goal = models.ForeignKey(SdgGoal, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=8, unique=True, help_text=_("For example 16.3 or 1.a."))
    title = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["goal__number", "id"]
        constraints = [
            models.CheckConstraint(
                name="recommendations_sdgtarget_code_format",
                condition=Q(code__regex=r"^[0-9]{1,2}\.([0-9]{1,2}|[a-z])$"),
            )
        ]

    def __str__(self):
        return self.code + (f" {self.title}" if self.title else "")


def search_query(q: str, config: str = SEARCH_CONFIG) -> SearchQuery:
    """A search box's words in PostgreSQL's websearch syntax ("phrases", OR, -word), over
    the unaccented English configuration the search vector is built with (or `config`)."""
    return SearchQuery(q, search_type="websearch", config=config)


# The one search of both languages, for every model with the two vectors (search_vector
# over the English fields, search_vector_es over the Spanish ones): the words match the
# English text with English stemming or the Spanish text with Spanish stemming, both
# unaccented. Two vectors rather than one mixed: "-children" must exclude an English text
# with "children" even though the Spanish stemmer would make the word "childr".
def spanish_search_query(q: str) -> SearchQuery:
    first, second = SPANISH_CONFIGS
    return search_query(q, first) | search_query(q, second)


def spanish_search_vector(*fields) -> SearchVector:
    """The Spanish vector over `fields` ((name, weight) pairs), in both configurations."""
    vectors = [SearchVector(f, weight=w, config=c) for c in SPANISH_CONFIGS for f, w in fields]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def text_search(q: str) -> Q:
    return Q(search_vector=search_query(q)) | Q(search_vector_es=spanish_search_query(q))


def search_rank(q: str):
    return SearchRank(F("search_vector"), search_query(q)) + SearchRank(
        F("search_vector_es"), spanish_search_query(q)
    )


class RecommendationQuerySet(models.QuerySet):
    def matching(self, q: str):
        """Full-text search of the text, in English and Spanish."""
        return self.filter(text_search(q))

    def to_home_state(self):
        """Recommendations made to the United States, whatever else was imported."""
        return self.filter(review__state_under_review__iso3=HOME_STATE)

    def for_list(self):
        return self.select_related("review__state_under_review").prefetch_related(
            "recommending_countries"
        )

    def for_export(self):
        return self.select_related("review__state_under_review").prefetch_related(
            "recommending_countries",
            "themes",
            "affected_groups",
            "sdg_targets",
            models.Prefetch("positions", Position.objects.select_related("country")),
        )

    def for_detail(self):
        return self.select_related("review__state_under_review").prefetch_related(
            "recommending_countries",
            "themes",
            "affected_groups",
            "sdg_targets",
            models.Prefetch("positions", Position.objects.select_related("country")),
        )

    def with_theme(self, theme):
        """Recommendations under one theme: a GIN lookup in theme_ids, not a join."""
        return self.filter(theme_ids__contains=[theme.pk])

    def with_any_theme(self, pks):
        """Recommendations under any of the themes `pks` (a theme and its narrower ones),
        each once."""
        return self.filter(theme_ids__overlap=list(pks))

    def recommended_by(self, country):
        return self.filter(country_ids__contains=[country.pk])


class Response(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    SUPPORTED_IN_PART = "supported_in_part", _("Supported in part")
    NOTED = "noted", _("Noted")
    PENDING = "pending", _("Pending")


class ActionCategory(models.IntegerChoices):
    MINIMAL = 1, _("1 – minimal action")
    CONTINUING = 2, _("2 – continuing action")
    CONSIDERING = 3, _("3 – considering action")
    GENERAL = 4, _("4 – general action")
    SPECIFIC = 5, _("5 – specific action")


class LocalStatus(models.TextChoices):
    """The words for local action, on every page, facet, report and export: a published
    commitment contests it, else one implements it, else one addresses it, else none."""

    NONE = "none", _("No local action yet")
    ADDRESSED = "addressed", _("Addressed locally")
    IMPLEMENTED = "implemented", _("Implemented locally")
    CONTESTED = "contested", _("Contested locally")


# The local-action filter's value for any status but "none", in the same words.
ANY_LOCAL_ACTION = ("any", _("Any local action"))


# Columns the database keeps (the triggers of schema.py, the status refresh): history skips
# them, and save() never writes them back from an instance loaded before they changed.
KEPT_BY_DATABASE = [
    "theme_ids",
    "country_ids",
    "regions",
    "group_ids",
    "sdg_codes",
    "acting_jurisdiction_ids",
    "local_status",
    "jurisdictions_acting",
]


class PublicIdField(models.CharField):
    """Read back on INSERT ... RETURNING, like the primary key: the trigger that fills it
    runs in the database, and an instance just created (one by one or in bulk) knows it."""

    db_returning = True


class Recommendation(ChoiceLabels, Bilingual, models.Model):
    Response = Response

    ActionCategory = ActionCategory

    LocalStatus = LocalStatus

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    paragraph = models.CharField(
        max_length=16, blank=True, help_text=_("Paragraph in the WG report, e.g. 26.49.")
    )
    text = models.TextField()
    # The UN's Spanish text (the Spanish report table, importers/spanish.py); importers of
    # the English sources never write it.
    # Empty in the database by default, as in Python: writers that insert in SQL (the
    # benchmark generator, the worker tests) leave the Spanish columns out.
    text_es = models.TextField(_("text in Spanish"), blank=True, db_default="")
    recommending_countries = models.ManyToManyField(
        Country, related_name="recommendations_made", blank=True
    )
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.PENDING)
    response_note = models.TextField(blank=True)
    action_category = models.PositiveSmallIntegerField(
        choices=ActionCategory.choices, null=True, blank=True
    )
    themes = models.ManyToManyField(Theme, related_name="recommendations", blank=True)
    affected_groups = models.ManyToManyField(
        AffectedGroup, related_name="recommendations", blank=True
    )
    sdg_targets = models.ManyToManyField(SdgTarget, related_name="recommendations", blank=True)
    uhri_id = models.UUIDField(_("UHRI annotation id"), null=True, blank=True, unique=True)
    upr_info_key = models.CharField(_("UPR Info key"), max_length=64, blank=True)
    # The permanent public identifier (public_ids.py): "USA-3-26.49", the state under
    # review, the cycle and the paragraph of the Working Group report as they were when
    # the record was first written. Never changed afterwards, carried by the native export
    # and import, so a citation or a link made with it keeps working in any copy of the data.
    # Empty on insert means "derive it": a database trigger (schema.py) fills it for every
    # writer, importer, admin, seed or raw SQL alike.
    public_id = PublicIdField(
        _("public identifier"),
        max_length=40,
        unique=True,
        default="",
        blank=True,
        editable=False,
        help_text=_("Permanent; for example USA-3-26.49."),
    )
    # UHRI also lists treaty-body and special-procedure recommendations; empty means the UPR.
    body = models.CharField(
        _("recommending body"), max_length=120, blank=True, help_text=_("Empty for the UPR.")
    )
    # Fields a curator corrected by hand; imports leave them alone (importers/merge.py). The
    # database default keeps set-based INSERTs (benchmark data, tests) valid.
    curated_fields = models.JSONField(default=list, db_default=[], blank=True, editable=False)

    # Derived from published commitment links by the status refresh job.
    local_status = models.CharField(
        max_length=12, choices=LocalStatus.choices, default=LocalStatus.NONE, editable=False
    )
    jurisdictions_acting = models.PositiveIntegerField(default=0, editable=False)

    # English stemming over unaccented words, and Spanish over the Spanish text (the
    # configurations are in schema.py; text_search() reads both).
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_vector_es = models.GeneratedField(
        expression=spanish_search_vector(("text_es", None)),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The facet arrays: copies of the links, kept by the triggers of schema.py, read by
    # the filters (GIN lookups) and the facet index. acting_jurisdiction_ids is kept by
    # the jurisdictions app with local_status.
    theme_ids = ArrayField(models.IntegerField(), default=list, db_default=[], editable=False)
    country_ids = ArrayField(models.IntegerField(), default=list, db_default=[], editable=False)
    regions = ArrayField(models.TextField(), default=list, db_default=[], editable=False)
    group_ids = ArrayField(models.IntegerField(), default=list, db_default=[], editable=False)
    sdg_codes = ArrayField(models.TextField(), default=list, db_default=[], editable=False)
    acting_jurisdiction_ids = ArrayField(
        models.IntegerField(), default=list, db_default=[], editable=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "search_vector_es",
            *KEPT_BY_DATABASE,
            "updated_at",
            "curated_fields",
        ]
    )
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            # The natural key: a paragraph number is unique only inside its report.
            models.UniqueConstraint(
                fields=["review", "paragraph"],
                condition=~Q(paragraph=""),
                name="recommendations_recommendation_paragraph",
                violation_error_message="This review already has a recommendation with "
                "this paragraph number.",
            ),
            models.UniqueConstraint(
                fields=["upr_info_key"],
                condition=~Q(upr_info_key=""),
                name="recommendations_recommendation_upr_info_key",
            ),
            models.CheckConstraint(
                name="recommendations_recommendation_response_valid",
                condition=Q(response__in=Response.values),
            ),
            models.CheckConstraint(
                name="recommendations_recommendation_action_range",
                condition=Q(action_category__isnull=True)
                | Q(action_category__gte=1, action_category__lte=5),
            ),
            models.CheckConstraint(
                name="recommendations_recommendation_local_status_valid",
                condition=Q(local_status__in=LocalStatus.values),
            ),
            models.CheckConstraint(
                name="recommendations_recommendation_text_present",
                condition=~Q(text=""),
            ),
        ]
        indexes = [
            # Browse filters: response and local action within a review.
            models.Index(fields=["review", "response"], name="recommendations_rec_response"),
            models.Index(fields=["local_status"], name="recommendations_rec_local"),
            # Lists in citation order (review, then id): the first page without a scan.
            models.Index(fields=["review", "id"], name="recommendations_rec_order"),
            # The other sort orders of /recommendations/, so that a page of them (down to
            # the deepest listed page) is read in index order rather than sorted.
            models.Index(
                fields=["response", "review", "id"], name="recommendations_rec_response_o"
            ),
            models.Index(
                fields=["-jurisdictions_acting", "review", "id"],
                name="recommendations_rec_local_o",
            ),
            # "With local action" keeps a few rows in every thousand: the citation order of
            # just those, rather than a walk past the others.
            models.Index(
                fields=["review", "id"],
                name="recommendations_rec_acted_o",
                condition=~Q(local_status="none"),
            ),
            # The same rows in the API's cursor order (id alone).
            models.Index(
                fields=["id"],
                name="recommendations_rec_acted_id",
                condition=~Q(local_status="none"),
            ),
            GinIndex(fields=["search_vector"], name="recommendations_rec_search"),
            GinIndex(fields=["search_vector_es"], name="recommendations_rec_search_es"),
            GinIndex(fields=["theme_ids"], name="recommendations_rec_theme_ids"),
            GinIndex(fields=["country_ids"], name="recommendations_rec_countries"),
            GinIndex(fields=["regions"], name="recommendations_rec_regions"),
            GinIndex(fields=["group_ids"], name="recommendations_rec_group_ids"),
            GinIndex(fields=["sdg_codes"], name="recommendations_rec_sdg_codes"),
            GinIndex(fields=["acting_jurisdiction_ids"], name="recommendations_rec_acting"),
        ]

    def __str__(self):
        return self.citation

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and not f.generated and f.name not in KEPT_BY_DATABASE
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.public_id:
            return reverse("recommendations:recommendation-permanent", args=[self.public_id])
        return reverse("recommendations:recommendation-detail", args=[self.pk])

    def repeats(self, limit: int = 5) -> list["Recommendation"]:
        """ "Recommended again": the closest wordings made to the same state under review in
        other cycles, as computed when recommendations were written (recurrence.py)."""
        rows = self.recommended_again.select_related("other__review").order_by(
            "-score", "other__review__cycle", "other_id"
        )[:limit]
        return [row.other for row in rows]

    def mark_curated(self, fields):
        """Records that a curator set these fields by hand, so imports leave them alone."""
        names = sorted(set(self.curated_fields) | set(fields))
        if names != sorted(self.curated_fields):
            self.curated_fields = names
            Recommendation.objects.filter(pk=self.pk).update(curated_fields=names)

    @staticmethod
    def response_of(responses) -> str:
        """The response to a recommendation from its answers to each recommending state:
        one answer is the response; supported for some and noted for others is supported
        in part."""
        given = set(responses) - {Response.PENDING}
        if not given:
            return Response.PENDING
        if len(given) == 1:
            return next(iter(given))
        return Response.SUPPORTED_IN_PART

    @property
    def citation(self) -> str:
        """Public facts only (citations.py); never the row id, which differs between
        databases."""
        return cite(self)


class Position(models.Model):
    """What the state under review answered one recommending state. A UPR Info export
    gives one answer per recommending state, and the same wording made by three states can
    be supported for one and noted for the others; the recommendation's own response is
    then the combination (Recommendation.response_of)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="positions"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    response = models.CharField(max_length=20, choices=Response.choices)

    class Meta:
        ordering = ["recommendation", "country__name"]
        constraints = [
            # One answer per recommending state: imports upsert on this pair.
            models.UniqueConstraint(
                fields=["recommendation", "country"], name="recommendations_position_recommender"
            ),
            models.CheckConstraint(
                name="recommendations_position_response_valid",
                condition=Q(response__in=Response.values),
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.get_response_display()}"


class RecommendedAgain(models.Model):
    """`other` says the same, or nearly the same, as `recommendation`, and was made to the
    same state under review in another cycle. Both directions are stored."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="recommended_again"
    )
    other = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    # rapidfuzz ratio of the normalised texts, 0-100.
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "other"], name="recommendations_again_pair"
            ),
        ]
        indexes = [
            # The detail page: the closest matches of one recommendation.
            models.Index(fields=["recommendation", "-score"], name="recommendations_again_best"),
        ]

    def __str__(self):
        return f"{self.recommendation_id} again as {self.other_id} ({self.score})"


class FacetVersion(models.Model):
    """One row whose number PostgreSQL stamps anew (a trigger of schema.py) whenever
    a statement writes a column the facets read: a facet index built at an older number
    is out of date (facet_index.py)."""

    n = models.BigIntegerField()

    def __str__(self):
        return str(self.n)


class FacetIndex(models.Model):
    """The bitmap index of facet values (facet_index.py) as built at FacetVersion
    `version`, stored so that every process loads it instead of building its own;
    `data` is facet_index.dump()'s layout of pyroaring's own serialisation."""

    version = models.BigIntegerField(unique=True)
    built_at = models.DateTimeField()
    build_seconds = models.FloatField()
    data = models.BinaryField()

    def __str__(self):
        return f"facet index {self.version} ({len(self.data)} bytes)"


class TaskOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (another run held the lock)")
    # Not done: the lock was busy and the task is queued to try again.
    DEFERRED = "deferred", _("Deferred (lock busy, will try again)")


class TaskRun(models.Model):
    """One run of a background job, so an operator can see that it ran and what it changed."""

    Outcome = TaskOutcome

    task = models.CharField(max_length=120)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The Celery message id: a redelivered message finds the run its dead worker left.
    task_id = models.CharField(max_length=155, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                name="recommendations_taskrun_outcome_valid",
                condition=Q(outcome__in=TaskOutcome.values),
            ),
        ]
        indexes = [
            # Admin list: the latest runs of one task.
            models.Index(fields=["task", "-started_at"], name="recommendations_taskrun_latest"),
            # track_run: the runs of one Celery message that are still marked running.
            models.Index(
                fields=["task_id"],
                name="recommendations_taskrun_msg",
                condition=Q(outcome="running"),
            ),
        ]

    def __str__(self):
        return f"{self.task} at {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"


class UpstreamFormat(models.TextChoices):
    AUTO = "", _("Detect from the file")
    UHRI = "uhri", _("UHRI export")
    UPR_INFO = "upr_info", _("UPR Info export")


class UpstreamSource(models.Model):
    """An export the sync job downloads and imports when it changes; set up by an admin."""

    Format = UpstreamFormat

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=1000)
    format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    enabled = models.BooleanField(default=True)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_hash = models.CharField(_("SHA-256 of the last import"), max_length=64, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="recommendations_upstreamsource_format_valid",
                condition=Q(format__in=UpstreamFormat.values),
            ),
        ]

    def __str__(self):
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ImportRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])

    def start(self, *, path, file_name="", format="", options=None, user=None) -> "ImportRun":
        """A queued run for a file already on disk; pass its id to tasks.run_import."""
        return self.create(
            file_path=str(path),
            file_name=file_name or str(path).rsplit("/", 1)[-1],
            format=format or "",
            options=options or {},
            user=user,
        )


class ImportRun(models.Model):
    """One import of one file: who ran it, how far it got, and what it changed."""

    Status = ImportStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(_("stored file"), max_length=500)
    format = models.CharField(max_length=10, blank=True, help_text=_("Empty: detected."))
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(_("invalid rows"), default=0)
    report = models.JSONField(default=dict, blank=True, help_text=_("Error rows and warnings."))
    # Starts of this run; more than one means a worker died during it (tasks.run_import).
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="recommendations_importrun_status_valid",
                condition=Q(status__in=ImportStatus.values),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def lock_name(self) -> str:
        """Held by the process running this import; free means nobody is."""
        return f"import-run-{self.pk}"

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.is_finished else 0
        return min(100, self.rows_done * 100 // self.rows_total)
