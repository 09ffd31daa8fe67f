"""What every mail the jobs write shares: absolute links (the jobs have no request), the
subject line, and the signed links that act for one user without a sign-in."""

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from recommendations.absolute_urls import base_url


def absolute(path: str, base: str | None = None) -> str:
    """Mail from the weekly job has no request: SITE_URL (see recommendations/absolute_urls.py)."""
    return (base or base_url()) + path


def signed_user_url(user_id: int, view: str, salt: str) -> str:
    """A link for one user that needs no sign-in: the signature proves the mail reached
    them. Each kind of mail signs with its own salt."""
    return absolute(reverse(view, args=[signing.dumps(user_id, salt=salt)]))


def user_from_signed(signed: str, salt: str) -> int | None:
    try:
        return signing.loads(signed, salt=salt)
    except signing.BadSignature:
        return None


def subject(what: str) -> str:
    return _("UPR Tracker: %(what)s") % {"what": what}
