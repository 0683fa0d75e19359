"""The Jinja2 environment, for the layout and the pages and parts drawn thousands of times.

Most pages are Django templates. The layout of every page
(templates/jinja2/layout.html: Django pages reach it through base.html's
``{% layout %}``, docs/decisions/0900), the list page, a part drawn once per
entry of a long list (the directory's rows and cards) and the page links of
every list (config/paging.py) are Jinja2 templates: Jinja2 compiles a
template to Python, several times faster than Django's engine for such parts
(docs/decisions/0840, 0850). Autoescaping is on, and Django's safe strings
stay safe (they carry ``__html__``). The helpers are the kernel's, named as
in Django templates: ``url`` (reversed once per process), ``static``
(looked up once per process), ``intcomma``, ``japanese`` and
``pagination``; and the layout's own:
``site_nav``, ``breadcrumb_nav`` and ``error_summary`` (the Django partials
every page shares).
"""

import functools
import secrets
from types import MappingProxyType

from django.conf import settings
from django.contrib.humanize.templatetags import humanize
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from .dates import japanese
from .navigation import site_nav, url_of, url_under
from .paging import pagination


def intcomma(value) -> str:
    """A count with thousands separators (25,000), as Django's ``intcomma``
    writes it for Japanese, without its two locale lookups per number."""
    return f"{value:,}" if isinstance(value, int) else humanize.intcomma(value)


def static_url(path: str) -> str:
    """``static(path)``, the URL of a static file under its hashed name
    (ManifestStaticFilesStorage), looked up once per process for each file
    (7 µs a lookup; the layout asks for three on every page). Every time
    under DEBUG, where the files and their names change as they are edited."""
    return static(path) if settings.DEBUG else _static_url(get_script_prefix(), path)


@functools.lru_cache(maxsize=256)
def _static_url(script_prefix: str, path: str) -> str:
    # The manifest is read once when a process starts; a relative STATIC_URL
    # is put behind the site's path (the prefix, part of the key).
    return static(path)


def page_links(request) -> dict:
    """A context processor of the Jinja2 pages (settings.TEMPLATES): their
    ``url`` and ``static`` with the site's path read once for the page
    rather than once a link (a read cost 1.5 µs; a list page makes twenty
    links). Parts rendered without the request use the environment's."""
    prefix = get_script_prefix()
    links = {"url": functools.partial(url_under, prefix)}
    if not settings.DEBUG:
        links["static"] = functools.partial(_static_url, prefix)
    return links


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES", "STATICFILES_STORAGE", "DEBUG"):
        _static_url.cache_clear()


def breadcrumb_nav(items) -> str:
    """A Jinja2 page's breadcrumbs: the partial every Django page includes
    (templates/_breadcrumbs.html), drawn once per process for each trail (the
    list page's is always the same; every time under DEBUG, so that template
    edits show at once)."""
    drawn = _breadcrumb_nav.__wrapped__ if settings.DEBUG else _breadcrumb_nav
    return drawn(tuple((label, url) for label, url in items))


@functools.lru_cache(maxsize=256)
def _breadcrumb_nav(items: tuple[tuple[str, str | None], ...]) -> str:
    return render_to_string("_breadcrumbs.html", {"items": items})


def error_summary(form) -> str:
    """A form's errors at the top of a Jinja2 page: the Django pages' partial (templates/_error_summary.html)."""
    return render_to_string("_error_summary.html", {"form": form})


class EncodedParts:
    """Parts of a page kept as UTF-8 bytes, put into it after its template
    has rendered: the template writes a mark where each goes (``put``), and
    ``join`` encodes the template's own text and puts each part at its mark.

        parts = EncodedParts()
        html = render_to_string(name, {..., "part": parts.put}, request, using="jinja2")
        return HttpResponse(parts.join(html))       # {{ part(rows) }} in the template

    For the large parts kept between requests (the list's entries, its filter
    fields, the map): encoded once when kept, not again with every page that
    shows them (encoding a 76 KB list page took 60 µs), and kept in UTF-8, a
    little over half the memory of the same text in Python (mostly ASCII
    with Japanese: two bytes a character)."""

    def __init__(self):
        self._parts: list[bytes] = []
        # A mark no text on the page can forge: a page shows what visitors typed.
        self._mark = "\ue002" + secrets.token_hex(8)

    def put(self, data: bytes) -> SafeString:
        self._parts.append(data)
        return mark_safe(f"{self._mark}{len(self._parts) - 1}\ue003")

    def join(self, text: str) -> bytes:
        first, *marked = text.split(self._mark)
        chunks = [first.encode()]
        for piece in marked:
            index, _, after = piece.partition("\ue003")
            chunks += (self._parts[int(index)], after.encode())
        return b"".join(chunks)


class SiteEnvironment(Environment):
    def make_globals(self, d):
        """A template's globals as one dict rather than Jinja2's ChainMap over
        the environment's: every render copies them into its context, and
        copying a ChainMap cost 28 µs a render, two or more per list page.
        The environment's globals are set once, below, before any template
        is loaded (as Jinja2 asks), so a template sees them all the same."""
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    env = SiteEnvironment(**options)
    env.filters.update(japanese=japanese, intcomma=intcomma)
    env.globals.update(
        url=url_of,
        pagination=pagination,
        static=static_url,
        site_nav=site_nav,
        breadcrumb_nav=breadcrumb_nav,
        error_summary=error_summary,
        # What a Django page's {% layout %} passes to templates/jinja2/layout.html; a Jinja2 page overrides blocks itself.
        blocks=MappingProxyType({}),
    )
    return env
