"""The `cleanprod` command: Django's management commands under the product's name.

`cleanprod import FILE ...` is the file import; every other word is passed to Django
(`cleanprod migrate`, `cleanprod runserver`, `cleanprod db_worker`, ...).
"""

import os
import sys

# Short names for the product's own commands; Python keywords cannot name a command module.
ALIASES = {"import": "import_file", "demo": "load_demo"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanprod.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
