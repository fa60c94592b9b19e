"""The `cpdnet` console command: Django's management commands with the project's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
    from django.core.management import execute_from_command_line

    arguments = sys.argv[1:]
    # `cpdnet import-schools` runs the `import_schools` command.
    if arguments and not arguments[0].startswith("-"):
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["cpdnet", *arguments])


if __name__ == "__main__":
    main()
