from django.core.management.base import BaseCommand, CommandError

from cpdnet.accounts.models import User
from cpdnet.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Make a new API bearer token for a person and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of the person the token is for.")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active person has the email address {email}.")
        token = create_api_token(user=user)
        # The token alone on standard output, so scripts can capture it.
        self.stdout.write(token)
        self.stderr.write("Keep this token safe: it is shown only once. Send it as")
        self.stderr.write("  Authorization: Bearer <token>")
