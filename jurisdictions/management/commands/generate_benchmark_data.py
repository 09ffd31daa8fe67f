"""Fills the database with deterministic synthetic data for the page benchmark.

Rows are built in Python from a seeded random generator and written in large batches:
with PostgreSQL COPY (the search-vector triggers still fire), elsewhere bulk_create. Ids
are assigned here so many-to-many rows can be written the same way without reading back.
"""

import io
import json
import random
import time
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from jurisdictions.models import (
    Commitment,
    CommitmentKind,
    CommitmentLink,
    CommitmentStatus,
    Jurisdiction,
    Network,
    NetworkMembership,
    ProgressUpdate,
    Publication,
    Relation,
)
from jurisdictions.seed import seed_jurisdictions
from recommendations.models import (
    AffectedGroup,
    Country,
    Recommendation,
    Response,
    Review,
    SdgTarget,
    Theme,
)
from recommendations.seed import seed_reference

BATCH = 20_000
BENCH_PREFIX = "bench-"

VERBS = [
    "Take effective measures to",
    "Adopt legislation to",
    "Strengthen efforts to",
    "Ensure that all states",
    "Continue its work to",
    "Consider steps to",
    "Redouble efforts to",
    "Establish a national plan to",
]
ACTIONS = [
    "end excessive police use of force against {group}",
    "abolish the death penalty and commute existing sentences",
    "guarantee access to affordable housing for {group}",
    "combat racial discrimination in the criminal justice system",
    "protect the rights of {group} in detention",
    "ratify the Convention on the Rights of the Child",
    "reduce gun violence affecting {group}",
    "ensure independent investigations of police killings",
    "improve conditions in immigration detention for {group}",
    "guarantee equal access to voting for {group}",
    "end solitary confinement of {group}",
    "address homelessness and protect {group} from eviction",
    "train law enforcement officers on human rights standards",
    "close the gender pay gap and protect {group} at work",
    "provide health care without discrimination to {group}",
]
GROUPS = [
    "children",
    "migrants",
    "women",
    "persons with disabilities",
    "indigenous peoples",
    "people of African descent",
    "LGBTI persons",
    "older persons",
]
TAILS = [
    "",
    " in line with its international obligations",
    " at federal, state and local levels",
    " and report on progress",
    ", including through training and adequate funding",
]
COMMITMENT_TOPICS = [
    "police use of force policy",
    "civilian police oversight board",
    "resolution against the death penalty",
    "affordable housing trust fund",
    "human rights commission",
    "language access plan",
    "immigrant legal defence fund",
    "ban on solitary confinement in the county jail",
    "living wage ordinance",
    "anti-discrimination ordinance",
    "gun violence prevention program",
    "CEDAW city ordinance",
]


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "adapted"):  # psycopg2 Json adapter
        value = json.dumps(value.adapted)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert(model, objects):
    """Writes unsaved instances (ids already set) in batches."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=500)
        return
    fields = [f for f in model._meta.concrete_fields if f.column != "search_vector"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2 cursor under Django's wrapper
        for start in range(0, len(objects), BATCH):
            buffer = io.StringIO()
            for obj in objects[start : start + BATCH]:
                values = [
                    _copy_value(f.get_db_prep_save(f.pre_save(obj, add=True), connection))
                    for f in fields
                ]
                buffer.write("\t".join(values) + "\n")
            buffer.seek(0)
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(_NoStyle(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


class Command(BaseCommand):
    help = "Generate deterministic synthetic recommendations, jurisdictions and commitments."

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=300_000)
        parser.add_argument("--commitments", type=int, default=100_000)
        parser.add_argument("--jurisdictions", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)

    def log(self, message):
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    def handle(self, *args, **options):
        self.started = time.monotonic()
        self.rng = random.Random(options["seed"])
        seed_reference()
        seed_jurisdictions()
        self.log("reference data ready")
        with transaction.atomic():
            jurisdictions = self.make_jurisdictions(options["jurisdictions"])
            self.log(f"{len(jurisdictions)} jurisdictions")
            recommendations = self.make_recommendations(options["recommendations"])
            self.log(f"{len(recommendations)} recommendations with themes, states, groups, SDGs")
            self.make_commitments(options["commitments"], jurisdictions, recommendations)
            self.log(f"{options['commitments']} commitments with themes, links and updates")
            reset_sequences(
                [
                    Jurisdiction,
                    Recommendation,
                    Commitment,
                    CommitmentLink,
                    ProgressUpdate,
                    Network,
                    NetworkMembership,
                    Recommendation.themes.through,
                    Recommendation.recommending_countries.through,
                    Recommendation.affected_groups.through,
                    Recommendation.sdg_targets.through,
                    Commitment.themes.through,
                ]
            )
            self.refresh_local_action()
            self.log("local action figures refreshed")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.log("done")

    def make_jurisdictions(self, total: int) -> list[int]:
        """Counties and cities under the seeded states, up to `total` jurisdictions."""
        states = list(
            Jurisdiction.objects.filter(kind=Jurisdiction.Kind.STATE).values_list(
                "id", "state_code"
            )
        )
        existing = Jurisdiction.objects.count()
        pk = next_id(Jurisdiction)
        rows = []
        counties = []
        for n in range(max(total - existing, 0)):
            state_id, code = states[n % len(states)]
            is_county = n % 5 == 0 or not counties
            parent = state_id if is_county else self.rng.choice(counties[-40:])[0]
            kind = Jurisdiction.Kind.COUNTY if is_county else Jurisdiction.Kind.CITY
            name = f"{'County' if is_county else 'Town'} {n} of {code}"
            if not is_county:
                code = next(c for i, c in counties[-40:] if i == parent)
            rows.append(
                Jurisdiction(
                    id=pk,
                    kind=kind,
                    name=name,
                    slug=f"{BENCH_PREFIX}{kind}-{n}",
                    parent_id=parent,
                    fips="",
                    state_code=code,
                    website="",
                )
            )
            if is_county:
                counties.append((pk, code))
            pk += 1
        insert(Jurisdiction, rows)
        ids = [j.id for j in rows] or list(Jurisdiction.objects.values_list("id", flat=True))
        networks = []
        network_pk = next_id(Network)
        for n in range(12):
            networks.append(
                Network(
                    id=network_pk + n,
                    name=f"Benchmark network {network_pk + n}",
                    slug=f"{BENCH_PREFIX}network-{network_pk + n}",
                    kind=Network._meta.get_field("kind").default,
                    description="",
                    url="",
                )
            )
        insert(Network, networks)
        memberships = []
        membership_pk = next_id(NetworkMembership)
        for i, jurisdiction_id in enumerate(ids[::15]):
            memberships.append(
                NetworkMembership(
                    id=membership_pk + i,
                    network_id=networks[i % len(networks)].id,
                    jurisdiction_id=jurisdiction_id,
                    joined_on=date(2015, 1, 1) + timedelta(days=i % 3000),
                    note="",
                )
            )
        insert(NetworkMembership, memberships)
        return ids

    def make_recommendations(self, total: int) -> list[int]:
        rng = self.rng
        usa = Country.objects.get(iso3="USA")
        reviews = []
        for cycle, (session, symbol) in enumerate(
            [(9, "A/HRC/16/11"), (22, "A/HRC/30/12"), (36, "A/HRC/46/15"), (50, "A/HRC/59/99")],
            start=1,
        ):
            review, _ = Review.objects.get_or_create(
                state_under_review=usa,
                cycle=cycle,
                defaults={"wg_session": session, "report_symbol": symbol, "status": "responded"},
            )
            reviews.append(review.id)
        used = {
            (r, p)
            for r, p in Recommendation.objects.filter(review__in=reviews).values_list(
                "review_id", "paragraph"
            )
        }
        countries = list(
            Country.objects.filter(kind=Country.Kind.STATE)
            .exclude(iso3="USA")
            .values_list("id", flat=True)
        )
        themes = list(Theme.objects.values_list("id", flat=True))
        groups = list(AffectedGroup.objects.values_list("id", flat=True))
        targets = list(SdgTarget.objects.values_list("id", flat=True))
        responses = [Response.SUPPORTED] * 5 + [Response.SUPPORTED_IN_PART] + [Response.NOTED] * 3
        responses.append(Response.PENDING)
        now = timezone.now()
        pk = next_id(Recommendation)
        rows, rec_themes, rec_states, rec_groups, rec_targets = [], [], [], [], []
        for n in range(total):
            review = reviews[n % len(reviews)]
            paragraph = f"{200 + n // 1000}.{n % 1000}"
            if (review, paragraph) in used:
                continue
            group = rng.choice(GROUPS)
            text = (
                f"{rng.choice(VERBS)} {rng.choice(ACTIONS).format(group=group)}{rng.choice(TAILS)}."
            )
            rows.append(
                Recommendation(
                    id=pk,
                    review_id=review,
                    paragraph=paragraph,
                    text=text,
                    response=rng.choice(responses),
                    response_note="",
                    action_category=rng.randint(1, 5),
                    uhri_id=None,
                    upr_info_key="",
                    created_at=now,
                    updated_at=now,
                )
            )
            for theme in rng.sample(themes, rng.randint(1, 3)):
                rec_themes.append((pk, theme))
            for country in rng.sample(countries, rng.choice([1, 1, 1, 2, 3])):
                rec_states.append((pk, country))
            if rng.random() < 0.6:
                rec_groups.append((pk, rng.choice(groups)))
            if rng.random() < 0.7:
                rec_targets.append((pk, rng.choice(targets)))
            pk += 1
        insert(Recommendation, rows)
        self._through(Recommendation.themes.through, "theme_id", rec_themes)
        self._through(Recommendation.recommending_countries.through, "country_id", rec_states)
        self._through(Recommendation.affected_groups.through, "affectedgroup_id", rec_groups)
        self._through(Recommendation.sdg_targets.through, "sdgtarget_id", rec_targets)
        return [r.id for r in rows]

    def _through(self, through, column, pairs, owner="recommendation_id"):
        pk = next_id(through)
        insert(
            through,
            [
                through(**{"id": pk + i, owner: left, column: right})
                for i, (left, right) in enumerate(pairs)
            ],
        )

    def make_commitments(self, total, jurisdictions, recommendations):
        rng = self.rng
        themes = list(Theme.objects.values_list("id", flat=True))
        kinds = CommitmentKind.values
        statuses = CommitmentStatus.values
        publications = [Publication.PUBLISHED] * 17 + [
            Publication.DRAFT,
            Publication.SUBMITTED,
            Publication.REJECTED,
        ]
        # A few busy places hold many commitments, as real data would.
        busy = jurisdictions[:200]
        now = timezone.now()
        pk = next_id(Commitment)
        link_pk = next_id(CommitmentLink)
        update_pk = next_id(ProgressUpdate)
        rows, commitment_themes, links, updates = [], [], [], []
        for n in range(total):
            jurisdiction = rng.choice(busy) if rng.random() < 0.3 else rng.choice(jurisdictions)
            adopted = date(2008, 1, 1) + timedelta(days=rng.randint(0, 6000))
            publication = rng.choice(publications)
            published_at = (
                datetime(adopted.year, adopted.month, adopted.day, tzinfo=UTC)
                if publication == Publication.PUBLISHED
                else None
            )
            topic = rng.choice(COMMITMENT_TOPICS)
            rows.append(
                Commitment(
                    id=pk,
                    jurisdiction_id=jurisdiction,
                    title=f"{topic.capitalize()} no. {n}",
                    kind=rng.choice(kinds),
                    instrument_ref=f"{n}-{adopted.year}",
                    summary=f"Adopts a {topic} for {rng.choice(GROUPS)} and reports yearly.",
                    status=rng.choice(statuses),
                    adopted_on=adopted,
                    target_date=adopted + timedelta(days=730) if n % 3 == 0 else None,
                    responsible_office="",
                    source_url="",
                    publication=publication,
                    review_note="",
                    published_at=published_at,
                    created_by=None,
                    created_at=now,
                    updated_at=now,
                )
            )
            for theme in rng.sample(themes, rng.randint(1, 2)):
                commitment_themes.append((pk, theme))
            for rec in rng.sample(recommendations, min(rng.randint(1, 3), len(recommendations))):
                links.append(
                    CommitmentLink(
                        id=link_pk,
                        commitment_id=pk,
                        recommendation_id=rec,
                        relation=rng.choice(Relation.values),
                        rationale="",
                        created_by=None,
                        created_at=now,
                    )
                )
                link_pk += 1
            if n % 2 == 0:
                updates.append(
                    ProgressUpdate(
                        id=update_pk,
                        commitment_id=pk,
                        reported_on=adopted + timedelta(days=200),
                        status="",
                        summary="The office reported progress.",
                        evidence_url="https://example.org/evidence",
                        publication=publication,
                        review_note="",
                        author=None,
                        created_at=now,
                    )
                )
                update_pk += 1
            pk += 1
        insert(Commitment, rows)
        self._through(Commitment.themes.through, "theme_id", commitment_themes, "commitment_id")
        insert(CommitmentLink, links)
        insert(ProgressUpdate, updates)

    def refresh_local_action(self):
        rec = Recommendation._meta.db_table
        link = CommitmentLink._meta.db_table
        commitment = Commitment._meta.db_table
        # One grouped pass over the links rather than a subquery per recommendation.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {rec} SET jurisdictions_acting = acting.n, local_status = %s
                FROM (
                    SELECT l.recommendation_id, COUNT(DISTINCT c.jurisdiction_id) AS n
                    FROM {link} l JOIN {commitment} c ON c.id = l.commitment_id
                    WHERE c.publication = %s
                    GROUP BY l.recommendation_id
                ) AS acting
                WHERE {rec}.id = acting.recommendation_id
                """,
                [Recommendation.LocalStatus.ADDRESSED, Publication.PUBLISHED],
            )
