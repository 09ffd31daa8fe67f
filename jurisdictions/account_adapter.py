"""django-allauth adapter: staff accounts are created only by accepting an invitation.

Also the name django-axes records for a sign-in attempt, which has to agree with how
allauth hands the email over."""

from allauth.account.adapter import DefaultAccountAdapter

from upr_tracker.proxy import client_ip


class InvitationOnlyAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # allauth's sign-in rate limits key on this. Its own reading trusts no proxy by
        # default, so behind one every client would share the proxy's address and ten
        # failures from anyone would shut out all staff; use the app's one answer.
        return client_ip(request)


def lockout_username(request, credentials=None) -> str | None:
    """The account a sign-in attempt was for (AXES_USERNAME_CALLABLE).

    allauth authenticates with `email=` while its form posts the address as `login`, so
    axes' single form-field setting misses one or the other and records no account at
    all; every failure then counts against the address alone and locks out everyone
    behind it. Case and surrounding spaces are dropped because allauth matches email
    addresses that way, so `A@x.org` and `a@x.org ` are one account to lock."""
    for source in (credentials or {}, getattr(request, "POST", {})):
        for key in ("email", "login", "username"):
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None
