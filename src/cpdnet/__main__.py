"""The `cpdnet` console command: Django's management commands with the project's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings, which check themselves)
    except ImproperlyConfigured as error:
        sys.exit(f"cpdnet: {error}")

    arguments = sys.argv[1:]
    # `cpdnet import-schools` runs the `import_schools` command.
    if arguments and not arguments[0].startswith("-"):
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["cpdnet", *arguments])


if __name__ == "__main__":
    main()
