import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from supporters.cache import CachedPagesApp  # noqa: E402  (needs the apps loaded)

application = CachedPagesApp(application)
