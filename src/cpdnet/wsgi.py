import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:
    # Refuse to start with one line saying why (unsafe production settings, see settings.py).
    sys.exit(f"cpdnet: {error}")
