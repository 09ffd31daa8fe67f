"""How a recommendation is cited: from public facts only, so a citation reads the same in
every copy of the data (an export re-imported elsewhere gives other row ids).

The UN's own form is the report symbol and paragraph (`A/HRC/46/15, para. 26.49`). Imports
without paragraph numbers (UPR Info's) cite the review (state under review, cycle, session,
year, and the report symbol when known) and the recommending states. Every citation the
site, its exports and its reports print comes from `cite`."""


def review_label(review) -> str:
    """ "United States, cycle 1, session 9, 2010": the review as the UN names it."""
    parts = [str(review.state_under_review), f"cycle {review.cycle}"]
    if review.wg_session:
        parts.append(f"session {review.wg_session}")
    if review.year:
        parts.append(str(review.year))
    return ", ".join(parts)


def recommenders(names) -> str:
    """The recommending states, by name, alphabetically."""
    names = sorted(names)
    if not names:
        return "recommending state not recorded"
    if len(names) == 1:
        return f"recommended by {names[0]}"
    return f"recommended by {', '.join(names[:-1])} and {names[-1]}"


def compose(
    *, symbol: str, paragraph: str, review: str, recommended_by, public_id: str = ""
) -> str:
    """The citation from its parts: `review` is review_label(); `recommended_by` the
    recommending states' names. The fast export (exports.py) calls this directly. Without
    a symbol and paragraph the review and recommenders may fit several recommendations,
    so the permanent public identifier (Recommendation.public_id) ends the citation."""
    if symbol and paragraph:
        return f"{symbol}, para. {paragraph}"
    where = f"{symbol} ({review})" if symbol else review
    if paragraph:
        where += f", para. {paragraph}"
    cited = f"{where}, {recommenders(recommended_by)}"
    return f"{cited}; UPR Tracker {public_id}" if public_id else cited


def cite(recommendation) -> str:
    """A recommendation's citation; its recommending states are read only when there is
    no paragraph (prefetched, they cost no query)."""
    review = recommendation.review
    if review.report_symbol and recommendation.paragraph:
        return compose(
            symbol=review.report_symbol,
            paragraph=recommendation.paragraph,
            review="",
            recommended_by=(),
        )
    return compose(
        symbol=review.report_symbol,
        paragraph=recommendation.paragraph,
        review=review_label(review),
        recommended_by=[c.name for c in recommendation.recommending_countries.all()],
        public_id=recommendation.public_id,
    )
