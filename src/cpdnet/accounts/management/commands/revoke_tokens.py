from django.core.management.base import BaseCommand, CommandError

from cpdnet.accounts.models import User
from cpdnet.accounts.services import revoke_api_tokens


class Command(BaseCommand):
    help = "Revoke every API token a person has."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of the person.")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No person has the email address {email}.")
        revoked = revoke_api_tokens(user=user)
        self.stdout.write(f"Revoked {revoked} token{'' if revoked == 1 else 's'} for {user.email}.")
