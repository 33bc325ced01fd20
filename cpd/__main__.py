"""The ``cpd`` console command: ``manage.py`` for people who pip-installed the package.

cpd migrate
cpd cpd_demo
cpd runserver
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
