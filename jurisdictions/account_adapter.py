"""django-allauth adapter: staff accounts are created only by accepting an invitation."""

from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False
