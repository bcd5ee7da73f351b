#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # manage.py is the developer's entry point, so it defaults to development (as cookiecutter-django's
    # manage.py defaults to local settings). Production processes (gunicorn via wsgi.py, Celery) do
    # not pass through here, and production commands set DEBUG=false explicitly (docker-compose,
    # `make check-deploy`), which this default never overrides.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
