# A logged-in session stores the dotted path of the backend that authenticated it, and Django
# treats a session whose backend is no longer in AUTHENTICATION_BACKENDS as logged out. The
# backend moved from portfolio.throttling to core.throttling, so without this the upgrade would
# log everyone out, and a save sent from a form opened before it would meet the log-in page.
# Only sessions that have not expired are rewritten; the rest are never read again.
#
# The session data is signed with the site's secret: it is read and written back through the
# configured session engine's own encoding. Backwards, the old path comes back.

from importlib import import_module

from django.conf import settings
from django.db import migrations
from django.utils import timezone

BACKEND_SESSION_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY
OLD_BACKEND = "portfolio.throttling.ThrottledModelBackend"
NEW_BACKEND = "core.throttling.ThrottledModelBackend"


def _rename(apps, *, old: str, new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    changed = []
    live = Session.objects.filter(expire_date__gt=timezone.now()).values_list("pk", "session_data")
    for key, data in live.iterator(chunk_size=1000):
        session = store.decode(data)  # {} when it cannot be read: left as it is
        if session.get(BACKEND_SESSION_KEY) == old:
            session[BACKEND_SESSION_KEY] = new
            changed.append(Session(session_key=key, session_data=store.encode(session)))
    Session.objects.bulk_update(changed, ["session_data"], batch_size=500)


def forwards(apps, schema_editor) -> None:
    _rename(apps, old=OLD_BACKEND, new=NEW_BACKEND)


def backwards(apps, schema_editor) -> None:
    _rename(apps, old=NEW_BACKEND, new=OLD_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0009_outbox_task_names"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
