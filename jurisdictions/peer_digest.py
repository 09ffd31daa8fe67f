"""The weekly peer digest: for staff who asked for it on the staff home, the commitments
other jurisdictions published since the last digest on the recommendations their own
jurisdictions answer, grouped by recommendation.

It rides on the other digests' delivery rows (digests.py): one DigestDelivery per
recipient and week, unique, written in the same transaction that moves the recipient's
``since`` to the end of the window, and sent by the same claim-by-conditional-update
sender; so a second run, or a run after a worker was killed, sends nothing twice.
"""

from datetime import date, datetime
from itertools import groupby

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from recommendations.absolute_urls import base_url

from .mail import signed_user_url, subject, user_from_signed
from .models import (
    Commitment,
    CommitmentLink,
    DigestDelivery,
    Membership,
    PeerDigestFollow,
    Publication,
)

SALT = "jurisdictions.peer-digest.settings"


def new_peer_links(user_id: int, since: datetime, until: datetime):
    """Links of commitments that other jurisdictions published for the first time in
    (since, until] to a recommendation one of the user's jurisdictions has linked a
    commitment to; in recommendation order, then by publication. One query.

    ``published_at`` moves on every approval, so the history decides what is new: a
    commitment that had a published version by ``since`` was already public then."""
    mine = Membership.objects.filter(user_id=user_id).values("jurisdiction_id")
    answered = CommitmentLink.objects.filter(commitment__jurisdiction__in=mine).values(
        "recommendation_id"
    )
    public_before = Commitment.history.filter(
        id=OuterRef("commitment_id"),
        publication=Publication.PUBLISHED,
        history_date__lte=since,
    )
    return (
        CommitmentLink.objects.filter(
            recommendation_id__in=answered,
            commitment__publication=Publication.PUBLISHED,
            commitment__published_at__gt=since,
            commitment__published_at__lte=until,
        )
        .exclude(commitment__jurisdiction_id__in=mine)
        .exclude(Exists(public_before))
        .select_related("commitment__jurisdiction", "recommendation__review")
        .order_by("recommendation__review__cycle", "recommendation_id", "commitment__published_at")
    )


def settings_url(user_id: int) -> str:
    """The mail's way out (and back in), which needs no sign-in."""
    return signed_user_url(user_id, "subscriptions:peer-digest", SALT)


def user_from_link(signed: str) -> int | None:
    return user_from_signed(signed, SALT)


def prepare(now: datetime, period: date) -> int:
    """Writes this week's peer digests; returns how many."""
    written = 0
    follows = (
        PeerDigestFollow.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    for follow in follows:
        email = follow.user.email.lower()
        if DigestDelivery.objects.filter(email=email, kind="peer", period=period).exists():
            continue
        links = list(new_peer_links(follow.user_id, follow.since, now))
        if not links:
            continue  # nothing new: no mail, and the window stays open
        groups = [
            (recommendation, [link.commitment for link in group])
            for recommendation, group in groupby(links, key=lambda link: link.recommendation)
        ]
        n = len({link.commitment_id for link in links})
        opt_out_url = settings_url(follow.user_id)
        body = render_to_string(
            "email/digest_peer.txt",
            {
                "groups": groups,
                "since": follow.since,
                "site_url": base_url(),
                "opt_out_url": opt_out_url,
            },
        )
        with transaction.atomic():
            _, created = DigestDelivery.objects.get_or_create(
                email=email,
                kind=DigestDelivery.Kind.PEER,
                period=period,
                defaults={
                    "subject": subject(
                        ngettext(
                            "%(n)d new commitment elsewhere on recommendations you answer",
                            "%(n)d new commitments elsewhere on recommendations you answer",
                            n,
                        )
                        % {"n": n}
                    ),
                    "body": body,
                    "unsubscribe_url": opt_out_url,
                },
            )
            if created:
                # The next digest starts where this one ends; only the run that wrote
                # the row moves it (a conditional update on the value it read).
                PeerDigestFollow.objects.filter(pk=follow.pk, since=follow.since).update(since=now)
        written += created
    return written
