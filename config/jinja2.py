"""The Jinja2 environment, for the parts of pages rendered thousands of times.

Pages are Django templates. A part drawn once per entry of a long list (the
directory's rows and cards), the list's results and the page links of every
list (config/paging.py) are Jinja2 templates: Jinja2 compiles a template to
Python, several times faster than Django's engine for such parts
(docs/decisions/0840, 0850). Autoescaping is on, and Django's safe strings
stay safe (they carry ``__html__``). The helpers are the kernel's, named as
in Django templates: ``url`` (reversed once per process), ``intcomma``,
``japanese`` and ``pagination``.
"""

from django.contrib.humanize.templatetags import humanize
from jinja2 import Environment

from .dates import japanese
from .navigation import url_of
from .paging import pagination


def intcomma(value) -> str:
    """A count with thousands separators (25,000), as Django's ``intcomma``
    writes it for Japanese, without its two locale lookups per number."""
    return f"{value:,}" if isinstance(value, int) else humanize.intcomma(value)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(japanese=japanese, intcomma=intcomma)
    env.globals.update(url=url_of, pagination=pagination)
    return env
