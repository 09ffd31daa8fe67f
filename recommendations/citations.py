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


def recommenders(recommendation) -> str:
    """The recommending states, by name, in the order the model gives (prefetched lists
    cost no query)."""
    names = [country.name for country in recommendation.recommending_countries.all()]
    if not names:
        return "recommending state not recorded"
    if len(names) == 1:
        return f"recommended by {names[0]}"
    return f"recommended by {', '.join(names[:-1])} and {names[-1]}"


def cite(recommendation) -> str:
    review = recommendation.review
    symbol = review.report_symbol
    if symbol and recommendation.paragraph:
        return f"{symbol}, para. {recommendation.paragraph}"
    where = f"{symbol} ({review_label(review)})" if symbol else review_label(review)
    if recommendation.paragraph:
        where += f", para. {recommendation.paragraph}"
    return f"{where}, {recommenders(recommendation)}"
