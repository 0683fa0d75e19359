import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Named in settings, so the kernel imports no app; needs the apps loaded.
from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

for wrapper in settings.WSGI_WRAPPERS:
    application = import_string(wrapper)(application)
