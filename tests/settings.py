"""Settings for the test run: the portal's own settings, made to pass its production checks.

Tests keep running with these whatever the environment says (DATABASE_URL still picks the
database). The values are set in the environment, not only here, so that `cpdnet` commands a
test starts in a subprocess load the same settings.
"""

import os
import secrets

os.environ["CPDNET_DEBUG"] = "0"
os.environ["CPDNET_SECRET_KEY"] = "test-only-" + secrets.token_urlsafe(48)
os.environ["CPDNET_CACHE_URL"] = "database"
# The test client speaks plain http; tests of the production defaults load them in a subprocess.
os.environ["CPDNET_SECURE_COOKIES"] = "0"
for name in ("CPDNET_STAFF_SIGN_IN", "CPDNET_TRUSTED_PROXIES", "CPDNET_OIDC_CLIENT_ID"):
    os.environ.pop(name, None)

from cpdnet.settings import *  # noqa: E402, F403

# Each test process has its own memory cache, cleared before every test (conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
