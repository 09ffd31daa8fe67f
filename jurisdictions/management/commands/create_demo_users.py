"""Create a curator and a Pittsburgh editor for trying the staff screens locally.

Not run by any setup step: it prints fresh random passwords, so use it on demo databases only.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jurisdictions.models import Jurisdiction, Membership
from jurisdictions.permissions import make_curator


class Command(BaseCommand):
    help = "Create demo accounts: a curator and an editor of Pittsburgh (passwords printed)."

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", default="pittsburgh", help="Slug to join.")

    def handle(self, *args, jurisdiction, **options):
        place = (
            Jurisdiction.objects.filter(slug=jurisdiction).first()
            or Jurisdiction.objects.filter(name__iexact=jurisdiction).first()
            or Jurisdiction.objects.filter(slug__startswith=jurisdiction).first()
        )
        if place is None:
            raise CommandError(f"No jurisdiction {jurisdiction!r}; load the demo data first.")
        curator = self._user("curator@example.org")
        make_curator(curator)
        editor = self._user(f"editor@{place.slug}.example.org")
        Membership.objects.get_or_create(
            user=editor, jurisdiction=place, defaults={"role": Membership.Role.MANAGER}
        )
        self.stdout.write(f"Editor (manager) of {place.name} and a curator are ready.")

    def _user(self, email):
        from allauth.account.models import EmailAddress

        User = get_user_model()
        user = User.objects.filter(email=email).first() or User(username=email, email=email)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        self.stdout.write(f"{email}  password: {password}")
        return user
