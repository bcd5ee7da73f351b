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
    # With no DATABASE_URL / CELERY_BROKER_URL, start the embedded servers before Django reads its
    # settings (which only compute where they are). `embedded_db` manages the server itself.
    if sys.argv[1:2] != ["embedded_db"]:
        from portal import embedded

        embedded.start_if_wanted()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
