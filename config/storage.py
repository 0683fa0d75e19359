"""Static files in production: whitenoise's compressed, hashed names, each looked up once.

``{% static %}`` asks the storage for a file's URL on every page (the layout
names three): the manifest storage looks the hashed name up and quotes and
joins the URL each time. The manifest does not change while a process runs
(``collectstatic`` comes before a deploy), so each URL is kept after its first
use.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:  # collectstatic's own lookups
            return super().url(name, force=True)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
