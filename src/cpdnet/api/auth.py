"""Bearer-token authentication for the API: `Authorization: Bearer <token>`."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from cpdnet.accounts.models import User
from cpdnet.accounts.selectors import get_user_for_token

# A token longer than this is not one of ours; refuse it without hashing megabytes.
MAX_TOKEN_LENGTH = 200


class TokenAuth(HttpBearer):
    """Answer 401 unless the request carries a live token of an active person."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return get_user_for_token(token)
