"""Each entry's markup on the list is rendered once per change, stored, and used only while valid."""

import datetime
import io

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from supporters import markup
from supporters.cache import Texts, memory_of
from supporters.models import EntryMarkup, Supporter
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")
SEARCH = {"region": "kanto", "sort": "updated"}
ROW_READ = '"supporters_supporter"."id" IN ('


@pytest.fixture
def directory():
    old = datetime.date.today() - datetime.timedelta(days=400)
    SupporterFactory.create_batch(5, regions=("kanto",))
    SupporterFactory(regions=("kanto",), name="<b>古い</b>", updated_on=old, hidden_fields=["residence"])
    SupporterFactory(regions=("kanto",), status=Supporter.Status.DRAFT, name="下書き")


def new_process():
    """What another process (or this one after a restart) holds: nothing rendered."""
    caches["pages"].clear()
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _nothing_rendered_yet():
    new_process()


def page(client, query=SEARCH, reads=None):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LIST, query).content.decode()
    if reads is not None:
        reads.extend(q["sql"] for q in queries.captured_queries if "supporters_entrymarkup" in q["sql"])
    return body, [q["sql"] for q in queries.captured_queries if ROW_READ in q["sql"]]


def rendered_here(client, settings, query=SEARCH):
    settings.PAGE_CACHE = False
    try:
        return client.get(LIST, query).content.decode()
    finally:
        settings.PAGE_CACHE = True


def test_a_new_process_draws_the_entries_from_their_stored_markup(client, settings, directory):
    assert markup.refresh(list(Supporter.objects.values_list("pk", flat=True))) == 6  # published only
    assert EntryMarkup.objects.count() == 12  # a card and a table row each
    expected = rendered_here(client, settings)
    new_process()
    markup_reads = []
    body, row_reads = page(client, reads=markup_reads)
    assert row_reads == []  # no entry's row read, none rendered
    assert len(markup_reads) == 1  # the cards' and the table rows' markup together
    assert body == expected
    assert "&lt;b&gt;古い&lt;/b&gt;" in body and body.count("badge-stale") == 2
    assert "?region=kanto&amp;sort=updated" in body  # the request's search, put in the placeholders


def test_stored_markup_of_an_older_version_is_not_used(client, directory):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    entry = Supporter.objects.published().get(name="<b>古い</b>")
    # A bulk write renders nothing: the entry's version no longer matches its markup.
    Supporter.objects.filter(pk=entry.pk).update(name="一括で変更")
    new_process()
    body, row_reads = page(client)
    assert "一括で変更" in body and "&lt;b&gt;古い" not in body
    assert len(row_reads) == 1 and f"IN ({entry.pk})" in row_reads[0]  # only that row


def test_stored_markup_is_not_used_once_the_stale_mark_would_change(client, settings, directory, monkeypatch):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    later = timezone.now() + datetime.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: later)
    new_process()
    body, row_reads = page(client)
    assert body.count("badge-stale") == 12  # every entry is a year old now: card and row
    assert len(row_reads) == 1  # the five fresh when rendered; the old one's markup still holds
    assert body == rendered_here(client, settings)


def test_stored_markup_of_another_template_source_is_not_used(client, directory):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    EntryMarkup.objects.filter(template="supporters/_row.html").update(digest="before-the-deploy", html="古い表示")
    new_process()
    body, row_reads = page(client)
    assert "古い表示" not in body and len(row_reads) == 1  # the rows rendered, the cards from storage


def test_stored_markup_of_the_site_at_another_path_is_not_used(client, directory):
    # Rendered by a command (the site's path "/"); this request reaches the site under /shien/.
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    new_process()
    set_script_prefix("/shien/")  # what Django's WSGI handler sets from SCRIPT_NAME (the test client does not)
    try:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(LIST, SEARCH, SCRIPT_NAME="/shien").content.decode()
    finally:
        set_script_prefix("/")
    entry = Supporter.objects.published().first()
    assert f'href="/shien/supporters/{entry.registration_no}/?region=kanto' in body
    assert f'href="/supporters/{entry.registration_no}/' not in body
    assert any(ROW_READ in q["sql"] for q in queries.captured_queries)  # rendered here, not taken


def test_stored_markup_is_not_used_under_debug(client, settings, directory):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    EntryMarkup.objects.update(html="古い表示")  # as if the template had just been edited
    settings.PAGE_CACHE = False
    assert "古い表示" not in client.get(LIST, SEARCH).content.decode()


def test_a_search_without_a_query_string_renders_its_entries(client, settings, directory):
    # Stored markup holds a placeholder for the search; a link without one is rendered.
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    new_process()
    body = client.get(LIST).content.decode()
    assert body == rendered_here(client, settings, {}) and "\ue000" not in body


def test_a_saved_entry_is_rendered_after_the_commit(directory):
    entry = Supporter.objects.published().first()
    with transaction.atomic():
        entry.name = "保存で変更"
        entry.save()
        stored = EntryMarkup.objects.get(supporter=entry, template="supporters/_card.html")
        assert "保存で変更" not in stored.html  # not inside the writing transaction
    stored.refresh_from_db()
    assert "保存で変更" in stored.html and stored.version == Supporter.objects.get(pk=entry.pk).modified_at


def test_a_draft_is_not_rendered(directory):
    Supporter.objects.get(name="下書き").save()
    assert EntryMarkup.objects.filter(supporter__status=Supporter.Status.PUBLISHED).count() == 12
    assert not EntryMarkup.objects.filter(supporter__name="下書き").exists()


def test_the_import_renders_the_entries_it_wrote(tmp_path):
    from tests.supporters.test_import import SEED_ROW, table, write_csv

    path = write_csv(tmp_path / "list.csv", table(SEED_ROW))
    call_command("import_supporters", str(path), stdout=io.StringIO())
    stored = EntryMarkup.objects.get(supporter__registration_no="000022", template="supporters/_row.html")
    assert "姓002 名002" in stored.html and markup.placeholder("querystring") in stored.html


def test_render_entries_renders_what_is_missing_or_outdated(directory):
    EntryMarkup.objects.all().delete()  # as after the migration that brought it
    out = io.StringIO()
    call_command("render_entries", stdout=out)
    assert "6件" in out.getvalue() and EntryMarkup.objects.count() == 12
    Supporter.objects.filter(name="<b>古い</b>").update(name="変更")
    out = io.StringIO()
    call_command("render_entries", stdout=out)
    assert "1件" in out.getvalue()
    assert "変更" in EntryMarkup.objects.get(supporter__name="変更", template="supporters/_row.html").html
    out = io.StringIO()
    call_command("render_entries", "--all", stdout=out)
    assert "6件" in out.getvalue()
    out = io.StringIO()
    call_command("render_entries", stdout=out)
    assert "すべて描画済みで、最新です" in out.getvalue()


def test_rendering_the_same_entries_twice_replaces_their_markup(directory):
    pks = list(Supporter.objects.values_list("pk", flat=True))
    markup.refresh(pks)
    markup.refresh(pks)  # as two processes would, one after the other
    assert EntryMarkup.objects.count() == 12


def test_a_pages_cards_and_rows_take_one_read_of_stored_markup_and_one_of_rows(client, settings, directory):
    EntryMarkup.objects.all().delete()  # nothing stored: the page renders its entries itself
    reads = []
    body, row_reads = page(client, reads=reads)
    assert len(reads) == 1 and len(row_reads) == 1
    assert body == rendered_here(client, settings)  # what a page that keeps nothing draws


def test_an_entrys_card_and_row_are_kept_together(client, settings, directory):
    body, _ = page(client)  # from the stored markup
    kept = [key for key in caches["fragments"]._cache if ":entry:" in key]
    assert body.count('class="supporter-card"') == 6 and len(kept) == 6  # one lookup per entry for both
    EntryMarkup.objects.all().delete()
    new_process()
    assert page(client)[0] == body == rendered_here(client, settings)  # rendered here: the same
    assert len([key for key in caches["fragments"]._cache if ":entry:" in key]) == 6
    assert page(client, {**SEARCH, "page": "1"})[1] == []  # another search, the same entries: no row read


def test_a_process_keeps_every_entrys_stored_markup_after_its_warm_up(client, settings, directory):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    expected = rendered_here(client, settings)
    new_process()
    assert markup.keep_stored() == 6  # the published entries
    reads = []
    body, row_reads = page(client, reads=reads)
    assert reads == [] and row_reads == []  # every entry from memory
    assert body == expected
    settings.PAGE_CACHE = False  # under DEBUG: nothing kept, templates render as edited
    new_process()
    assert markup.keep_stored() == 0


def test_what_a_process_keeps_at_start_stays_within_its_share_lowest_numbers_first(monkeypatch, directory):
    markup.refresh(list(Supporter.objects.values_list("pk", flat=True)))
    by_number = list(Supporter.objects.published().order_by("registration_no"))
    sizes = [
        memory_of(
            Texts(EntryMarkup.objects.get(supporter=entry, template=name).html.encode() for name in markup.STORED)
        )
        for entry in by_number
    ]
    monkeypatch.setattr(caches["fragments"], "_max_bytes", 2 * (sizes[0] + sizes[1]) + 1)
    assert markup.keep_stored(share=0.5) == 2
    kept = [int(key.split(":")[4]) for key in caches["fragments"]._cache if ":entry:" in key]
    assert kept == [by_number[0].pk, by_number[1].pk]  # the lowest number the most recent: pushed out last
