from django.core.management.base import BaseCommand, CommandError

from cpdnet.accounts.models import User
from cpdnet.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Make a new API bearer token for a person and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of the person the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default: CPDNET_API_TOKEN_DAYS, 90).",
        )
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="Refuse this token on every endpoint that writes.",
        )

    def handle(self, *args, email: str, days: int | None, read_only: bool, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active person has the email address {email}.")
        token = create_api_token(user=user, days=days, read_only=read_only)
        # The token alone on standard output, so scripts can capture it.
        self.stdout.write(token)
        self.stderr.write("Keep this token safe: it is shown only once. Send it as")
        self.stderr.write("  Authorization: Bearer <token>")
