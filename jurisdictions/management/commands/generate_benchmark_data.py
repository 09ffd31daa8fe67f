"""Fills the database with deterministic synthetic data for the page benchmark.

Long because the word lists the synthetic texts are built from live here.

Rows are built in Python from a seeded random generator and written in large batches with
PostgreSQL COPY (generated columns, the search vectors, are computed by the database). Ids
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

from jurisdictions.denormalised import deferred_theme_ids
from jurisdictions.local_status import refresh_local_status
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
from recommendations.denormalised import deferred_arrays
from recommendations.models import (
    AffectedGroup,
    Country,
    Recommendation,
    Response,
    Review,
    SdgTarget,
    Theme,
)
from recommendations.recurrence import refresh_recommended_again
from recommendations.seed import seed_reference

BATCH = 20_000
BENCH_PREFIX = "bench-"

VERBS = [
    "Take effective measures to",
    "Adopt legislation to",
    "Strengthen efforts to",
    "Ensure that all authorities act to",
    "Continue its work to",
    "Consider steps to",
    "Redouble efforts to",
    "Establish a national plan to",
    "Allocate sufficient resources to",
    "Step up measures to",
    "Intensify its efforts to",
    "Review its policies in order to",
]
# Topics in falling order of frequency (drawn with Zipf weights): the commonest is in
# about 5% of texts, the rarest in about 1.5%. Each search word of the page benchmark
# lives in one or two topics, groups or places, so it matches 0.1-5% of the rows.
ACTIONS = [
    "combat racial discrimination in the criminal justice system",
    "guarantee access to affordable housing for {group}",
    "protect the rights of {group} in custody",
    "abolish the death penalty and commute existing sentences",
    "end excessive police use of force against {group}",
    "provide health care without discrimination to {group}",
    "ratify the Convention on the Rights of the Child",
    "reduce gun violence affecting {group}",
    "ensure independent investigations of killings by law enforcement",
    "improve conditions in immigration holding centres for {group}",
    "guarantee equal access to voting for {group}",
    "end solitary confinement of {group}",
    "address homelessness and protect {group} from eviction",
    "train law enforcement officers on human rights standards",
    "close the gender pay gap and protect {group} at work",
    "ratify the Convention on the Elimination of All Forms of Discrimination against Women",
    "prevent trafficking in persons and assist its victims",
    "combat hate speech and hate crimes against {group}",
    "ensure access to clean water and sanitation for {group}",
    "close the military prison at Guantanamo Bay",
    "establish a national human rights institution in line with the Paris Principles",
    "end the practice of family separation at the border",
    "protect journalists and human rights defenders",
    "guarantee the right to education of {group}",
    "reduce maternal mortality among {group}",
    "end the use of private prisons",
    "respect the land rights of indigenous peoples",
    "ensure that {group} can seek asylum without penalty",
    "ban the sentencing of juveniles to life without parole",
    "address the disproportionate incarceration of {group}",
    "strengthen protection against domestic violence for {group}",
    "ensure reparations for historical injustices",
    "raise the minimum age of criminal responsibility",
    "protect the privacy of {group} against mass surveillance",
    "guarantee paid family leave for {group}",
    "end the criminalisation of homelessness",
    "ratify the Convention on the Rights of Persons with Disabilities",
    "combat climate change and protect {group} from its effects",
    "ensure access to legal aid for {group}",
    "prohibit corporal punishment in all settings",
    "regulate the sale and possession of firearms",
    "reform cash bail to end pretrial detention of the poor",
    "collect data on violence against {group}",
    "withdraw its reservations to human rights treaties",
    "extend a standing invitation to special procedures",
    "end the shackling of pregnant women in custody",
    "protect migrant farmworkers from exploitation",
    "guarantee safe and legal abortion services",
    "investigate torture at secret sites",
    "provide redress to victims of forced sterilisation",
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
    "asylum seekers",
    "religious minorities",
    "persons living in poverty",
    "rural communities",
    "Roma",
    "stateless persons",
    "domestic workers",
    "prisoners",
]
TAILS = [
    "",
    "",
    " in line with its international obligations",
    " at federal, state and local levels",
    " and report on progress",
    ", including through training and adequate funding",
    " in consultation with civil society",
    " without delay",
    " and monitor the results",
    " as previously recommended",
    ", with particular attention to remote areas",
    " and make the findings public",
]
# Details that make two texts on one topic read differently, as real ones do.
DETAILS = [
    "",
    "",
    ", notably in {place}",
    ", starting with a review of {place}",
    " and publish data on {place}",
    ", giving priority to {place}",
    " through an independent body covering {place}",
    " with a budget line for {place}",
    " by {year}",
    " before {year}",
    " within its {n}th national action plan",
    " as set out in its {n}th periodic report",
]
PLACES = [
    "rural areas",
    "border regions",
    "tribal lands",
    "federal prisons",
    "state prisons",
    "county jails",
    "public schools",
    "juvenile facilities",
    "immigration centres",
    "large cities",
    "island territories",
    "the Gulf coast",
    "Puerto Rico",
    "Native American reservations",
    "inner-city neighbourhoods",
    "Appalachia",
    "the southern states",
    "military bases",
    "public shelters",
    "hospitals and clinics",
]


def detail(rng) -> str:
    template = rng.choice(DETAILS)
    return template.format(
        place=rng.choice(PLACES), year=rng.randint(2012, 2032), n=rng.randint(2, 9)
    )


# Share of recommendations in cycles 2-4 that repeat a recommendation made to the same
# state in an earlier cycle, slightly reworded ("recommended again").
REPEAT_SHARE = 0.12
# Review sizes in real UPR reports: roughly 100 to 350 recommendations.
REVIEW_SIZES = (100, 350)
CYCLE_SESSIONS = [(9, 16), (22, 30), (36, 46), (50, 59)]


def zipf_weights(n: int, exponent: float) -> list[float]:
    """Cumulative weights for rng.choices: item i is drawn in proportion to 1/(i+1)^s."""
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


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
    if isinstance(value, list):  # an ArrayField: an array literal of quoted elements
        quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in value)
        value = "{" + ",".join(f'"{v}"' for v in quoted) + "}"
    if hasattr(value, "adapted"):  # psycopg2 Json adapter
        value = json.dumps(value.adapted)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert(model, objects):
    """Writes unsaved instances (ids already set) in batches."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.generated]
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
            recommendations, usa = self.make_recommendations(options["recommendations"])
            self.log(f"{len(recommendations)} recommendations with themes, states, groups, SDGs")
            # Local commitments answer the recommendations made to the United States.
            self.make_commitments(options["commitments"], jurisdictions, usa or recommendations)
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
            refresh_recommended_again(Recommendation.objects.all())
            self.log('"recommended again" computed')
        # The link triggers rewrote every new row (its arrays): compact the table, and give
        # the planner statistics (autovacuum may be off).
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
                cursor.execute(f"VACUUM FULL {Recommendation._meta.db_table}")
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

    def review_sizes(self, states: list[int], total: int) -> dict[tuple[int, int], int]:
        """Recommendations per (state, cycle): drawn from the real range, then scaled so
        that they add up to `total` exactly."""
        raw = {
            (state, cycle): self.rng.randint(*REVIEW_SIZES)
            for state in states
            for cycle in range(1, len(CYCLE_SESSIONS) + 1)
        }
        scale = total / sum(raw.values())
        sizes = {key: int(value * scale) for key, value in raw.items()}
        short = total - sum(sizes.values())
        for key in list(sizes)[:short]:
            sizes[key] += 1
        return sizes

    def make_reviews(self, states: list[int]) -> dict[tuple[int, int], int]:
        existing = {
            (r.state_under_review_id, r.cycle): r.pk
            for r in Review.objects.filter(state_under_review__in=states)
        }
        new = []
        for state in states:
            for cycle, (session, hrc) in enumerate(CYCLE_SESSIONS, start=1):
                if (state, cycle) not in existing:
                    new.append(
                        Review(
                            state_under_review_id=state,
                            cycle=cycle,
                            wg_session=session,
                            report_symbol=f"A/HRC/{hrc}/{state % 1000}",
                            status="held" if cycle == len(CYCLE_SESSIONS) else "responded",
                        )
                    )
        Review.objects.bulk_create(new)
        return {
            (r.state_under_review_id, r.cycle): r.pk
            for r in Review.objects.filter(state_under_review__in=states)
        }

    def make_recommendations(self, total: int) -> tuple[list[int], list[int]]:
        """About 193 states under review over four cycles; recommending states, themes and
        topics drawn with skewed (Zipf-like) weights. Returns all new ids and the ids of
        the recommendations made to the United States, which local commitments answer."""
        rng = self.rng
        states = list(
            Country.objects.filter(kind=Country.Kind.STATE)
            .order_by("iso3")
            .values_list("id", flat=True)
        )
        usa = Country.objects.get(iso3="USA").pk
        reviews = self.make_reviews(states)
        sizes = self.review_sizes(states, total)
        used = set(
            Recommendation.objects.filter(review__in=reviews.values()).values_list(
                "review_id", "paragraph"
            )
        )
        recommenders = states[:]
        rng.shuffle(recommenders)
        recommender_weights = zipf_weights(len(recommenders), 0.9)
        themes = list(Theme.objects.values_list("id", flat=True))
        rng.shuffle(themes)
        theme_weights = zipf_weights(len(themes), 1.0)
        groups = list(AffectedGroup.objects.values_list("id", flat=True))
        targets = list(SdgTarget.objects.values_list("id", flat=True))
        rng.shuffle(targets)
        target_weights = zipf_weights(len(targets), 1.0)
        action_weights = zipf_weights(len(ACTIONS), 0.3)
        answered = [Response.SUPPORTED] * 5 + [Response.SUPPORTED_IN_PART] + [Response.NOTED] * 3
        now = timezone.now()
        pk = next_id(Recommendation)
        rows, rec_themes, rec_states, rec_groups, rec_targets, usa_ids = [], [], [], [], [], []
        for state in states:
            earlier = []  # (text, recommender) of this state's earlier cycles
            for cycle in range(1, len(CYCLE_SESSIONS) + 1):
                review = reviews[(state, cycle)]
                this_cycle = []
                for n in range(sizes[(state, cycle)]):
                    paragraph = f"{100 + n // 100}.{n % 100 + 1}"
                    if (review, paragraph) in used:
                        continue
                    if earlier and rng.random() < REPEAT_SHARE:
                        text, recommender = rng.choice(earlier)
                        text = text.rstrip(".") + rng.choice(TAILS) + "."
                        chosen = [recommender]
                    else:
                        group = rng.choice(GROUPS)
                        action = rng.choices(ACTIONS, cum_weights=action_weights)[0]
                        text = f"{rng.choice(VERBS)} {action.format(group=group)}"
                        text += detail(rng) + rng.choice(TAILS) + "."
                        chosen = set()
                        for _ in range(rng.choice([1, 1, 1, 2, 3])):
                            country = rng.choices(recommenders, cum_weights=recommender_weights)
                            if country[0] != state:
                                chosen.add(country[0])
                        chosen = sorted(chosen) or [recommenders[-1]]
                    this_cycle.append((text, chosen[0]))
                    if cycle == len(CYCLE_SESSIONS):
                        response = rng.choice(answered + [Response.PENDING] * 4)
                    else:
                        response = rng.choice(answered)
                    rows.append(
                        Recommendation(
                            id=pk,
                            review_id=review,
                            paragraph=paragraph,
                            text=text,
                            response=response,
                            response_note="",
                            action_category=rng.randint(1, 5),
                            uhri_id=None,
                            upr_info_key="",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    for theme in set(
                        rng.choices(themes, cum_weights=theme_weights, k=rng.randint(1, 3))
                    ):
                        rec_themes.append((pk, theme))
                    rec_states.extend((pk, country) for country in chosen)
                    if rng.random() < 0.6:
                        rec_groups.append((pk, rng.choice(groups)))
                    if rng.random() < 0.7:
                        target = rng.choices(targets, cum_weights=target_weights)[0]
                        rec_targets.append((pk, target))
                    if state == usa:
                        usa_ids.append(pk)
                    pk += 1
                earlier.extend(this_cycle)
        insert(Recommendation, rows)
        # The facet arrays are brought in step once per row, after all four link tables.
        with deferred_arrays({r.id for r in rows}):
            self._through(Recommendation.themes.through, "theme_id", rec_themes)
            self._through(Recommendation.recommending_countries.through, "country_id", rec_states)
            self._through(Recommendation.affected_groups.through, "affectedgroup_id", rec_groups)
            self._through(Recommendation.sdg_targets.through, "sdgtarget_id", rec_targets)
        return [r.id for r in rows], usa_ids

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
        # Large cities hold many commitments, small towns few: Zipf-like weights over the
        # places, and over the recommendations they answer.
        places = sorted(jurisdictions)
        rng.shuffle(places)
        place_weights = zipf_weights(len(places), 0.8)
        answered = sorted(recommendations)
        rng.shuffle(answered)
        answered_weights = zipf_weights(len(answered), 0.6)
        now = timezone.now()
        pk = next_id(Commitment)
        link_pk = next_id(CommitmentLink)
        update_pk = next_id(ProgressUpdate)
        rows, commitment_themes, links, updates = [], [], [], []
        for n in range(total):
            jurisdiction = rng.choices(places, cum_weights=place_weights)[0]
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
            linked = rng.choices(answered, cum_weights=answered_weights, k=rng.randint(1, 3))
            for rec in sorted(set(linked)):
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
        # Their theme_ids (and the kept theme counts) are brought in step once per row,
        # after both the tags and the links.
        with deferred_theme_ids({c.id for c in rows}):
            self._through(Commitment.themes.through, "theme_id", commitment_themes, "commitment_id")
            insert(CommitmentLink, links)
        insert(ProgressUpdate, updates)

    def refresh_local_action(self):
        # The same refresh the app runs, so the derived columns are what it would write.
        refresh_local_status()
