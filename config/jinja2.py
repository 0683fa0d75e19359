"""The Jinja2 environment, for the few templates rendered thousands of times.

Pages are Django templates. A part of a page that is drawn once per entry of
a long list (the directory's rows and cards, supporters/templatetags) is a
Jinja2 template: Jinja2 compiles a template to Python, about twice as fast as
Django's engine for such a part (docs/decisions/0840). Autoescaping is on, and
Django's safe strings stay safe (they carry ``__html__``).
"""

from jinja2 import Environment

from .dates import japanese


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters["japanese"] = japanese
    return env
