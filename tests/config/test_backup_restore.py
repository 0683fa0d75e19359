"""Backup and restore (docs/operations.md): a dump restored into an empty
database gives identical pages."""

import io
import re

import pytest
from django.core.cache import caches
from django.core.management import call_command

from supporters.models import EntryMarkup, Supporter
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/help/", "/supporters/", "/supporters/?region=kinki&sort=-updated", "/supporters/export.json"]


def render_all(client, extra):
    caches["pages"].clear()
    # Forms carry a fresh CSRF token on every render; everything else must match.
    return {
        path: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", client.get(path).content)
        for path in PAGES + extra
    }


def test_dump_restore_into_an_empty_database_gives_identical_pages(client, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    hidden = SupporterFactory(registration_no="777777", hidden_fields=["email"], email="private@example.jp")
    extra = [hidden.get_absolute_url(), "/supporters/000020/"]
    before = render_all(client, extra)

    dump = tmp_path / "backup.json"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    call_command("flush", "--noinput")
    assert client.get("/supporters/export.json").json()["count"] == 0
    call_command("restore_data", str(dump), stdout=io.StringIO())

    assert render_all(client, extra) == before
    # The list's rendered markup is not in the dump; the restore renders it anew.
    assert b"supporters.entrymarkup" not in dump.read_bytes()
    assert EntryMarkup.objects.count() == 2 * Supporter.objects.published().count() > 0
