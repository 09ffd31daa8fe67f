"""Writes validated drafts in one transaction with batched upserts on the natural keys.
It is a little over the usual module size because a review's records, their links and
their answers are written in one pass over state held here; merge.py holds the field rules.

Which stored record a draft describes is matching.py's business; this module writes
what the drafts say onto those records, by merge.py's rules, and writes each recommending
state's answer (Position) where the source gives one.
"""

from datetime import timedelta
from itertools import islice

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from .. import sessions
from ..denormalised import deferred_arrays
from ..models import (
    AffectedGroup,
    Position,
    Recommendation,
    Review,
    SdgTarget,
    Theme,
    normalise_name,
)
from ..recurrence import refresh_recommended_again
from . import matching, merge, readers
from .common import Draft, Reference, theme_key

BATCH = 1000

CREATE_FIELDS = (
    "paragraph",
    "text",
    "text_es",
    "response",
    "response_note",
    "action_category",
    "uhri_id",
    "upr_info_key",
    "body",
    "public_id",
)
EXISTING_FIELDS = ("id", "review_id", *CREATE_FIELDS, "curated_fields")
RELATIONS = {
    # draft attribute: (m2m field, column of the target in the through table)
    "countries": ("recommending_countries", "country_id"),
    "themes": ("themes", "theme_id"),
    "groups": ("affected_groups", "affectedgroup_id"),
    "sdgs": ("sdg_targets", "sdgtarget_id"),
}


class ImportFailed(Exception):
    """Raised inside the write transaction to roll it back."""


def _chunks(items, size=BATCH):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# Any constant: the key of the PostgreSQL advisory lock that serialises imports.
IMPORT_LOCK = 5_031_724


# After writing this many rows the planner's statistics are refreshed (autovacuum may be
# off, and plans made for a small table crawl over a large one).
ANALYZE_AFTER_ROWS = 5000
WRITTEN_TABLES = [
    "recommendations_review",
    "recommendations_recommendation",
    "recommendations_recommendation_themes",
    "recommendations_recommendation_recommending_countries",
    "recommendations_recommendation_affected_groups",
    "recommendations_recommendation_sdg_targets",
    "recommendations_recommendedagain",
    "recommendations_position",
]


def analyze_written_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(WRITTEN_TABLES)}")


def upsert(drafts: dict, fmt: str, ref: Reference, report, problems, *, user, dry_run):
    """Writes the drafts review by review, so that only one review's stored records sit in
    memory at a time; `drafts` is emptied as it goes. Counts go to report.counts and, per
    state under review, to report.states."""
    if not dry_run:
        # Two imports at once would both create the same reviews and recommendations; the
        # second waits here, then reads what the first wrote and upserts onto it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    groups: dict = {}
    for draft in drafts.values():
        groups.setdefault((draft.state, draft.cycle), []).append(draft)
    drafts.clear()
    reviews = _reviews(
        (d for g in groups.values() for d in g), ref, fmt, dry_run=dry_run, user=user
    )
    placeholders = {} if dry_run else _create_vocabulary(ref)
    theme_vocabulary = dict(Theme.objects.values_list("pk", "vocabulary"))
    writer = _ReviewWriter(fmt, reviews, theme_vocabulary, placeholders, user, dry_run)
    # Links are written with the array triggers deferred; each touched row is brought in
    # step once, after the last review (denormalised.py): a few large statements rather
    # than one per review, each with its trigger work.
    with deferred_arrays(writer.touched):
        for key in list(groups):
            counts = writer.write(groups.pop(key), problems)
            if problems.error_count:
                return
            state = report.state(key[0])
            for name, value in counts.items():
                report.counts[name] += value
                state[name] += value
    # "Recommended again" is computed here, on write, for every state under review whose
    # recommendations were created or reworded or moved (and the states they left).
    touched = writer.reviews_touched - {None}
    if touched and not dry_run:
        refresh_recommended_again(Recommendation.objects.filter(review__in=touched))


class _ReviewWriter:
    def __init__(self, fmt, reviews, theme_vocabulary, placeholders, user, dry_run):
        self.fmt, self.reviews, self.user, self.dry_run = fmt, reviews, user, dry_run
        self.theme_vocabulary, self.placeholders = theme_vocabulary, placeholders
        self.scope = merge.THEME_SCOPE[fmt]
        self.when = timezone.now()
        self.reviews_touched: set = set()
        # Recommendations whose links were written: their arrays are synced at the end.
        self.touched: set = set()

    def write(self, drafts: list, problems) -> dict:
        """Creates and updates the records of one review's drafts; returns the counts."""
        fmt, reviews = self.fmt, self.reviews
        existing, current = _existing(drafts, reviews)
        found = matching.match(drafts, reviews, existing, current, fmt, problems)
        if problems.error_count:
            return {}
        drafts = found.drafts
        creates, updates, adds, removes = [], {}, {}, {}
        # (recommendation id, country id, response) to write; (recommendation id, country
        # ids) whose answers go with the recommending states a source removed.
        answers, unanswered = [], []
        for draft in drafts:
            review = reviews[(draft.state, draft.cycle)]
            rec = found.records.get(id(draft))
            if rec is None:
                if id(draft) in found.inherit:
                    self._inherit(draft, found.inherit[id(draft)], current)
                creates.append(draft)
                continue
            values = {name: _draft_value(draft, name, review) for name in merge.SCALAR_RULES[fmt]}
            changed = merge.scalar_changes(fmt, values, rec)
            related_changed = False
            for attr in RELATIONS:
                have = current[attr].get(rec["id"], {})
                if attr == "themes":
                    have = {
                        t: row
                        for t, row in have.items()
                        if self.theme_vocabulary.get(t) in self.scope
                    }
                plus, minus = merge.relation_changes(fmt, attr, getattr(draft, attr), have, rec)
                if plus:
                    adds.setdefault(attr, []).append((rec["id"], plus))
                if minus:
                    removes.setdefault(attr, []).extend(minus)
                    if attr == "countries":
                        gone = [c for c, row in have.items() if row in set(minus)]
                        unanswered.append((rec["id"], gone))
                related_changed = related_changed or bool(plus or minus)
            stored = current["positions"].get(rec["id"], {})
            keeps = None
            if fmt == readers.UPR_INFO and merge.from_un_file(rec):
                # Answers only to the states the UN's files name (merge.relation_changes).
                keeps = set(current["countries"].get(rec["id"], {}))
            new_answers = [
                (rec["id"], country, response)
                for country, response in draft.positions or ()
                if country is not None
                and (keeps is None or country in keeps)
                and stored.get(country) != response
                # An empty cell does not take back an answer given before.
                and (response != Recommendation.Response.PENDING or country not in stored)
            ]
            answers.extend(new_answers)
            related_changed = related_changed or bool(new_answers)
            if changed or related_changed:
                updates[rec["id"]] = changed
        counts = {
            "created": len(creates),
            "updated": len(updates),
            "unchanged": len(drafts) - len(creates) - len(updates),
        }
        if self.dry_run:
            return counts
        self.touched.update(updates)
        answers.extend(self._create(creates, self.touched))
        self._update(updates)
        _write_relations(adds, self.placeholders)
        for attr, rows in removes.items():
            through = getattr(Recommendation, RELATIONS[attr][0]).through
            for batch in _chunks(rows, 5000):
                through.objects.filter(pk__in=batch).delete()
        _delete_positions([(rec_id, c) for rec_id, gone in unanswered for c in gone])
        _write_positions(answers)
        self.reviews_touched |= {reviews[(d.state, d.cycle)].pk for d in creates}
        for pk, changed in updates.items():
            if "text" in changed or "review" in changed:
                self.reviews_touched |= {existing[pk]["review_id"], changed.get("review")}
        return counts

    def _create(self, creates, touched: set) -> list:
        """Creates the records; returns their answers (Position rows) to write."""
        answers = []
        # Every field a draft holds: a record that inherits from another (matching.py)
        # carries UPR Info's action category even when created by a UHRI file.
        fields = CREATE_FIELDS
        for batch in _chunks(creates):
            objs = [
                Recommendation(
                    review=self.reviews[(d.state, d.cycle)],
                    **{name: _draft_value(d, name, None) for name in fields},
                )
                for d in batch
            ]
            # Like every bulk write, creation leaves no history row (it would double the
            # insert time); the ImportRun records who loaded what, and every later change
            # is recorded.
            Recommendation.objects.bulk_create(objs)
            touched.update(obj.pk for obj in objs)
            adds = {}
            for draft, obj in zip(batch, objs, strict=True):
                for attr in RELATIONS:
                    wanted = getattr(draft, attr)
                    if wanted:
                        adds.setdefault(attr, []).append((obj.pk, wanted))
                answers.extend(
                    (obj.pk, country, response)
                    for country, response in draft.positions or ()
                    if country is not None
                )
            _write_relations(adds, self.placeholders)
        return answers

    def _inherit(self, draft: Draft, rec: dict, current: dict):
        """A paragraph of a UN file that a merged UPR Info record also covered becomes its
        own record with that record's UPR Info data for its recommending states (the
        record itself goes to the lowest paragraph: matching.py)."""
        theirs = set(draft.countries)
        draft.action_category = draft.action_category or rec["action_category"]
        issues = tuple(
            t
            for t in current["themes"].get(rec["id"], {})
            if self.theme_vocabulary.get(t) == Theme.Vocabulary.UPR_INFO
        )
        draft.themes = (*(draft.themes or ()), *issues)
        stored = current["positions"].get(rec["id"], {})
        draft.positions = tuple((c, r) for c, r in stored.items() if c in theirs)

    def _update(self, updates):
        for batch in _chunks(list(updates.items())):
            save_changes(dict(batch), user=self.user, when=self.when)


def save_changes(changes: dict, *, user, when):
    """Writes {recommendation id: {field: new value}} in one statement, with history:
    first a baseline for records bulk-created without one (what the change replaced), then
    the change. The Spanish table import writes through here too."""
    objs = Recommendation.objects.in_bulk(list(changes))
    recorded = set(Recommendation.history.filter(id__in=list(objs)).values_list("id", flat=True))
    baseline = [obj for pk, obj in objs.items() if pk not in recorded]
    if baseline:
        Recommendation.history.bulk_history_create(
            baseline,
            default_user=user,
            default_change_reason="as imported before",
            default_date=when - timedelta(microseconds=1),
        )
    fields = {"updated_at"}
    for pk, changed in changes.items():
        obj = objs[pk]
        for name, value in changed.items():
            if name == "review":
                obj.review_id = value
                fields.add("review")
            else:
                setattr(obj, name, value)
                fields.add(name)
        obj.updated_at = when
    objs = list(objs.values())
    Recommendation.objects.bulk_update(objs, sorted(fields))
    Recommendation.history.bulk_history_create(
        objs, update=True, default_user=user, default_change_reason="import", default_date=when
    )


def _draft_value(draft: Draft, name: str, review):
    if name == "review":
        return review.pk
    return getattr(draft, name)


# Review fields an import fills where the stored review has none. A native file (this
# project's own export) also replaces them: it is a copy of a review as this site held it.
REVIEW_FIELDS = ("wg_session", "review_date", "report_symbol", "response_symbol", "response_date")
NATIVE_REVIEW_FIELDS = (*REVIEW_FIELDS, "status", "notes")


def _review_values(drafts) -> dict:
    """(ISO3, cycle) -> the review fields the drafts give, the first non-empty value of
    each; a review a source says was answered is marked responded."""
    wanted: dict = {}
    for d in drafts:
        known = wanted.setdefault((d.state, d.cycle), {"answered": False})
        given = {"wg_session": d.wg_session, "report_symbol": d.report_symbol, **(d.review or {})}
        for name, value in given.items():
            if value and not known.get(name):
                known[name] = value
        known["answered"] = known["answered"] or d.response != Recommendation.Response.PENDING
    return wanted


def _derived(known: dict, review, *, native: bool) -> dict:
    """What a review gets where the files are silent: a status for a new review, and a
    date from the session calendar (files rarely give the day, the session gives the year).
    A native file is a copy of a site's reviews: a date it leaves empty stays empty."""
    session = known.get("wg_session") or (review.wg_session if review else None)
    return {
        "review_date": None if native else sessions.opening_day(session),
        "status": Review.Status.RESPONDED if known["answered"] else Review.Status.HELD,
    }


def _reviews(drafts, ref, fmt, *, dry_run, user=None) -> dict:
    """Reviews by (ISO3, cycle); missing ones are created (unsaved on a dry run)."""
    wanted = _review_values(drafts)
    state_ids = {ref.country_ids[state] for state, __ in wanted}
    iso3_of = {pk: iso3 for iso3, pk in ref.country_ids.items()}
    found = {
        (iso3_of[r.state_under_review_id], r.cycle): r
        for r in Review.objects.filter(state_under_review_id__in=state_ids)
    }
    native = fmt == readers.NATIVE
    new, changed, fields = [], [], set()
    for key, known in wanted.items():
        review = found.get(key)
        derived = _derived(known, review, native=native)
        if review is None:
            values = {name: known.get(name) or derived.get(name) for name in NATIVE_REVIEW_FIELDS}
            review = found[key] = Review(
                state_under_review_id=ref.country_ids[key[0]],
                cycle=key[1],
                **{name: value for name, value in values.items() if value},
            )
            new.append(review)
            continue
        diff = {
            name: known[name]
            for name in (NATIVE_REVIEW_FIELDS if native else REVIEW_FIELDS)
            if known.get(name)
            and getattr(review, name) != known[name]
            and (native or not getattr(review, name))
        }
        if not review.review_date and not diff.get("review_date") and derived["review_date"]:
            diff["review_date"] = derived["review_date"]
        if diff:
            for name, value in diff.items():
                setattr(review, name, value)
            changed.append(review)
            fields.update(diff)
    if not dry_run:
        Review.objects.bulk_create(new)
        if changed:
            Review.objects.bulk_update(changed, sorted(fields))
            # Recorded like a recommendation's change: the UPR calendar's events of a
            # review count its history rows (SEQUENCE), so a date an import moves moves
            # in subscribed calendars too.
            Review.history.bulk_history_create(
                changed, update=True, default_user=user, default_change_reason="import"
            )
    return found


def _existing(drafts, reviews):
    """Existing recommendations that may match: those of the drafts' reviews, and those
    with an annotation id of the drafts wherever they sit. Also their current relations."""
    review_ids = sorted({reviews[(d.state, d.cycle)].pk for d in drafts} - {None})
    rows = {}
    for batch in _chunks(review_ids, 500):
        for rec in Recommendation.objects.filter(review_id__in=batch).values(*EXISTING_FIELDS):
            rows[rec["id"]] = rec
    uhri_ids = [d.uhri_id for d in drafts if d.uhri_id]
    for batch in _chunks(uhri_ids, 500):
        for rec in Recommendation.objects.filter(uhri_id__in=batch).values(*EXISTING_FIELDS):
            rows[rec["id"]] = rec
    for rec in rows.values():
        rec["uhri_id"] = str(rec["uhri_id"]) if rec["uhri_id"] else None
    current = {attr: {} for attr in RELATIONS}
    current["positions"] = {}
    for batch in _chunks(list(rows), 2000):
        query = Position.objects.filter(recommendation_id__in=batch).order_by()
        for rec_id, country, response in query.values_list(
            "recommendation_id", "country_id", "response"
        ):
            current["positions"].setdefault(rec_id, {})[country] = response
    if rows:
        for attr, (m2m, column) in RELATIONS.items():
            through = getattr(Recommendation, m2m).through
            for batch in _chunks(list(rows), 2000):
                query = through.objects.filter(recommendation_id__in=batch)
                for pk, rec_id, target in query.values_list("pk", "recommendation_id", column):
                    current[attr].setdefault(rec_id, {})[target] = pk
    return rows, current


def _create_vocabulary(ref: Reference) -> dict:
    """Creates the UHRI themes and affected groups the file named; maps placeholders to ids.
    Also fills blank SDG target titles from UHRI's "16.3 - title" cells."""
    resolved = {}
    if ref.new_themes:
        slugs = set(Theme.objects.values_list("slug", flat=True))
        objs = []
        for (vocabulary, _key), name in ref.new_themes.items():
            slug = base = Theme.make_slug(vocabulary, name) or "theme"
            n = 2
            while slug in slugs:
                slug, n = f"{base[:210]}-{n}", n + 1
            slugs.add(slug)
            objs.append(Theme(vocabulary=vocabulary, name=name[:200], slug=slug))
        # A concurrent import may have created some of them since the file was read.
        Theme.objects.bulk_create(objs, ignore_conflicts=True)
        ids = {
            (vocabulary, theme_key(name)): pk
            for pk, vocabulary, name in Theme.objects.filter(
                name__in=[o.name for o in objs]
            ).values_list("pk", "vocabulary", "name")
        }
        for key in ref.new_themes:
            resolved[("theme", key)] = ids[key]
    if ref.new_groups:
        slugs = set(AffectedGroup.objects.values_list("slug", flat=True))
        objs = []
        for name in ref.new_groups.values():
            slug = base = slugify(name)[:110] or "group"
            n = 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            objs.append(AffectedGroup(name=name[:120], slug=slug))
        AffectedGroup.objects.bulk_create(objs, ignore_conflicts=True)
        ids = {
            normalise_name(name): pk
            for pk, name in AffectedGroup.objects.filter(
                name__in=[o.name for o in objs]
            ).values_list("pk", "name")
        }
        for key in ref.new_groups:
            resolved[("group", key)] = ids[key]
    if ref.sdg_title_fill:
        targets = list(SdgTarget.objects.filter(code__in=ref.sdg_title_fill, title=""))
        for target in targets:
            target.title = ref.sdg_title_fill[target.code]
        SdgTarget.objects.bulk_update(targets, ["title"])
    return resolved


def _write_positions(answers: list):
    """Upserts each recommending state's answer on (recommendation, country)."""
    table = connection.ops.quote_name(Position._meta.db_table)
    sql = (
        f"INSERT INTO {table} (recommendation_id, country_id, response) VALUES {{}} "
        "ON CONFLICT (recommendation_id, country_id) DO UPDATE SET response = EXCLUDED.response"
    )
    with connection.cursor() as cursor:
        for batch in _chunks(answers, 2000):
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(sql.format(values), [value for row in batch for value in row])


def _delete_positions(pairs: list):
    """Deletes the answers of (recommendation, country) pairs, a batch per statement."""
    table = connection.ops.quote_name(Position._meta.db_table)
    with connection.cursor() as cursor:
        for batch in _chunks(pairs, 2000):
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"DELETE FROM {table} WHERE (recommendation_id, country_id) IN ({values})",
                [value for pair in batch for value in pair],
            )


def _write_relations(adds: dict, placeholders: dict):
    """Set-based insert of relation rows; existing pairs are left alone (ON CONFLICT), so a
    retried batch is harmless. Plain SQL because model instances for a few hundred thousand
    through rows cost more than the insert itself."""
    for attr, pairs in adds.items():
        m2m, column = RELATIONS[attr]
        through = getattr(Recommendation, m2m).through
        table = connection.ops.quote_name(through._meta.db_table)
        rows = ((rec_id, placeholders.get(t, t)) for rec_id, targets in pairs for t in targets)
        prefix = f"INSERT INTO {table} (recommendation_id, {column}) VALUES "
        with connection.cursor() as cursor:
            for batch in _chunks(rows, 2000):
                values = ", ".join(["(%s, %s)"] * len(batch))
                params = [value for row in batch for value in row]
                cursor.execute(prefix + values + " ON CONFLICT DO NOTHING", params)
