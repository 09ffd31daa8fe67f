"""Writes validated drafts in one transaction with batched upserts on the natural keys.
It is a little over the usual module size because matching a draft to an existing record
and writing it share the per-review state held here; merge.py holds the field rules.

Natural keys, strongest first: the UHRI annotation id, the UPR Info key, the paragraph
inside its review. A recommendation one source loaded without a key of the other source is
found by its normalised text inside the same review (exact, then fuzzy), so UPR Info and
UHRI rows for one recommendation become one record.
"""

from datetime import timedelta
from itertools import islice

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify
from rapidfuzz import fuzz, process

from ..denormalised import deferred_arrays
from ..models import (
    AffectedGroup,
    Recommendation,
    Review,
    SdgTarget,
    Theme,
    normalise_name,
)
from ..recurrence import refresh_recommended_again
from . import merge, readers
from .common import Draft, Reference, normalise_text

BATCH = 1000
# rapidfuzz ratio (0-100) above which two texts of one review are the same recommendation;
# rewordings between UPR Info and the UN report rarely fall below it, and two different
# recommendations of one review rarely rise above it.
FUZZY_THRESHOLD = 90
# Two candidates this close to each other are ambiguous: neither is merged.
FUZZY_MARGIN = 2

EXISTING_FIELDS = (
    "id",
    "review_id",
    "paragraph",
    "text",
    "response",
    "response_note",
    "action_category",
    "uhri_id",
    "upr_info_key",
    "body",
    "curated_fields",
)
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
    reviews = _reviews((d for g in groups.values() for d in g), ref, dry_run=dry_run)
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
        matches = _match(drafts, reviews, existing, fmt, problems)
        creates, updates, adds, removes = [], {}, {}, {}
        for draft in drafts:
            review = reviews[(draft.state, draft.cycle)]
            rec = matches.get(id(draft))
            if rec is None:
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
                related_changed = related_changed or bool(plus or minus)
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
        self._create(creates, self.touched)
        self._update(updates)
        _write_relations(adds, self.placeholders)
        for attr, rows in removes.items():
            through = getattr(Recommendation, RELATIONS[attr][0]).through
            for batch in _chunks(rows, 5000):
                through.objects.filter(pk__in=batch).delete()
        self.reviews_touched |= {reviews[(d.state, d.cycle)].pk for d in creates}
        for pk, changed in updates.items():
            if "text" in changed or "review" in changed:
                self.reviews_touched |= {existing[pk]["review_id"], changed.get("review")}
        return counts

    def _create(self, creates, touched: set):
        fields = [name for name in merge.SCALAR_RULES[self.fmt] if name != "review"]
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
            _write_relations(adds, self.placeholders)

    def _update(self, updates):
        when, user = self.when, self.user
        for batch in _chunks(list(updates.items())):
            objs = Recommendation.objects.in_bulk([pk for pk, _ in batch])
            # Bulk-created records have no history yet: record their state before the first
            # change, so the history shows what the change replaced.
            recorded = set(
                Recommendation.history.filter(id__in=list(objs)).values_list("id", flat=True)
            )
            baseline = [obj for pk, obj in objs.items() if pk not in recorded]
            if baseline:
                Recommendation.history.bulk_history_create(
                    baseline,
                    default_user=user,
                    default_change_reason="as imported before",
                    default_date=when - timedelta(microseconds=1),
                )
            fields = {"updated_at"}
            for pk, changed in batch:
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
                objs,
                update=True,
                default_user=user,
                default_change_reason="import",
                default_date=when,
            )


def _draft_value(draft: Draft, name: str, review):
    if name == "review":
        return review.pk
    return getattr(draft, name)


def _reviews(drafts, ref, *, dry_run) -> dict:
    """Reviews by (ISO3, cycle); missing ones are created (unsaved on a dry run)."""
    wanted = {}
    for d in drafts:
        known = wanted.setdefault((d.state, d.cycle), [d.wg_session, d.report_symbol, False])
        known[0] = known[0] or d.wg_session
        known[1] = known[1] or d.report_symbol
        known[2] = known[2] or d.response != Recommendation.Response.PENDING
    state_ids = {ref.country_ids[state] for state, _ in wanted}
    iso3_of = {pk: iso3 for iso3, pk in ref.country_ids.items()}
    found = {
        (iso3_of[r.state_under_review_id], r.cycle): r
        for r in Review.objects.filter(state_under_review_id__in=state_ids)
    }
    new, changed = [], []
    for key, (session, symbol, answered) in wanted.items():
        review = found.get(key)
        if review is None:
            review = found[key] = Review(
                state_under_review_id=ref.country_ids[key[0]],
                cycle=key[1],
                wg_session=session,
                report_symbol=symbol,
                status=Review.Status.RESPONDED if answered else Review.Status.HELD,
            )
            new.append(review)
        elif (session and not review.wg_session) or (symbol and not review.report_symbol):
            review.wg_session = review.wg_session or session
            review.report_symbol = review.report_symbol or symbol
            changed.append(review)
    if not dry_run:
        Review.objects.bulk_create(new)
        Review.objects.bulk_update(changed, ["wg_session", "report_symbol"])
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
    if rows:
        for attr, (m2m, column) in RELATIONS.items():
            through = getattr(Recommendation, m2m).through
            for batch in _chunks(list(rows), 2000):
                query = through.objects.filter(recommendation_id__in=batch)
                for pk, rec_id, target in query.values_list("pk", "recommendation_id", column):
                    current[attr].setdefault(rec_id, {})[target] = pk
    return rows, current


def _match(drafts, reviews, existing: dict, fmt, problems) -> dict:
    """id(draft) -> existing row. Keys first for all drafts, then text for the rest."""
    by_uhri = {r["uhri_id"]: r for r in existing.values() if r["uhri_id"]}
    by_key = {r["upr_info_key"]: r for r in existing.values() if r["upr_info_key"]}
    by_paragraph = {
        (r["review_id"], r["paragraph"]): r for r in existing.values() if r["paragraph"]
    }
    matches, claimed, rest = {}, set(), []
    for draft in drafts:
        review_id = reviews[(draft.state, draft.cycle)].pk
        rec = (
            (draft.uhri_id and by_uhri.get(draft.uhri_id))
            or (draft.upr_info_key and by_key.get(draft.upr_info_key))
            or (draft.paragraph and by_paragraph.get((review_id, draft.paragraph)))
        )
        if rec and rec["id"] not in claimed:
            matches[id(draft)] = rec
            claimed.add(rec["id"])
        elif review_id:
            rest.append((draft, review_id))
    if not rest:
        return matches

    # Candidates for text matching lack the key this source would have given them.
    def candidate(rec, draft):
        if rec["id"] in claimed:
            return False
        if draft.uhri_id:
            return not rec["uhri_id"] and not rec["paragraph"]
        if draft.upr_info_key:
            return not rec["upr_info_key"]
        return not (rec["uhri_id"] or rec["upr_info_key"] or rec["paragraph"])

    by_review = {}
    for rec in existing.values():
        by_review.setdefault(rec["review_id"], []).append(rec)
    normalised = {}
    for draft, review_id in rest:
        pool = [r for r in by_review.get(review_id, ()) if candidate(r, draft)]
        if not pool:
            continue
        text = normalise_text(draft.text)
        for rec in pool:
            if rec["id"] not in normalised:
                normalised[rec["id"]] = normalise_text(rec["text"])
        exact = [r for r in pool if normalised[r["id"]] == text]
        if len(exact) == 1:
            matches[id(draft)] = exact[0]
            claimed.add(exact[0]["id"])
            continue
        if fmt == readers.NATIVE and not (draft.uhri_id or draft.upr_info_key):
            continue  # a keyless native row matches its own text exactly or not at all
        choices = {r["id"]: normalised[r["id"]] for r in pool}
        found = process.extract(
            text, choices, scorer=fuzz.ratio, limit=2, score_cutoff=FUZZY_THRESHOLD
        )
        if not found:
            continue
        if len(exact) > 1 or (len(found) > 1 and found[0][1] - found[1][1] < FUZZY_MARGIN):
            ids = ", ".join(f"#{r['id']}" for r in exact) or ", ".join(
                f"#{key} ({score:.0f})" for _, score, key in found
            )
            problems.warning(
                draft.line, "text", f"Ambiguous match ({ids}); imported as a new recommendation."
            )
            continue
        _, score, rec_id = found[0]
        matches[id(draft)] = existing[rec_id]
        claimed.add(rec_id)
        problems.warning(
            draft.line, "text", f"Matched recommendation #{rec_id} by its text (score {score:.0f})."
        )
    return matches


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
            (vocabulary, name.casefold()): pk
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
