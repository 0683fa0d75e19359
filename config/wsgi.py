import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
if settings.WSGI_FRONT:
    # The kernel names no app: the layer is a setting (supporters/front.py).
    application = import_string(settings.WSGI_FRONT)(application)
