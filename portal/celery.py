"""The Celery app. Tasks are thin (STYLE.md): ids in, one service call, retries owned here."""

import os

from celery import Celery, signals

from portal import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def start_embedded_servers(**kwargs) -> None:
    """A worker or beat with no DATABASE_URL / CELERY_BROKER_URL starts (or reuses) the embedded
    servers, as manage.py does; importing this module (every `import portal...`) starts nothing."""
    embedded.start_if_wanted()
