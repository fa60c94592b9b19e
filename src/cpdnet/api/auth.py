"""Bearer-token authentication for the API: `Authorization: Bearer <token>`."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from cpdnet.accounts.models import User
from cpdnet.accounts.sign_in_policy import check_api_token

# A token longer than this is not one of ours; refuse it without hashing megabytes.
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyToken(Exception):  # noqa: N818 (named for what was refused)
    """A read-only token sent to an endpoint that writes: 403 with the reason."""


class TokenAuth(HttpBearer):
    """Answer 401 unless the request carries a live token of an active person; 403 for a
    read-only token on an endpoint that writes; 429 after many bad tokens from one address."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            token = ""
        api_token = check_api_token(request=request, token=token)
        if api_token is None:
            return None
        if api_token.is_read_only and request.method not in SAFE_METHODS:
            raise ReadOnlyToken
        return api_token.user
