"""The Jinja2 environment's helpers write what their Django namesakes write (config/jinja2.py)."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma as django_intcomma
from django.template import engines


@pytest.mark.parametrize("value", [0, 7, 999, 1000, 25000, 1234567, -4500, "12345", 1234.5])
def test_intcomma_writes_numbers_as_django_does(value):
    template = engines["jinja2"].from_string("{{ value|intcomma }}件")
    assert template.render({"value": value}) == f"{django_intcomma(value)}件"
