"""The curators' queue of indicators and measurements (shown on the review queue page)."""

from .. import moderation


def review_context() -> dict:
    """The review queue's indicators and measurements, each with the state digest its
    decision form carries."""
    indicators, measurements = moderation.progress_queue()
    indicators, measurements = list(indicators), list(measurements)
    for obj in [*indicators, *measurements]:
        obj.review_state = moderation.submission_state(obj)
    return {"indicators": indicators, "measurements": measurements}
