"""The tile map of the 47 prefectures on the home page and the list: each tile
links to the list for its prefecture and shows the count that list shows."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from supporters import tilemap
from supporters.taxonomy import PREFECTURES
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

HOME = reverse("supporters:home")
LIST = reverse("supporters:list")
TILE = re.compile(
    r'<a href="/supporters/\?prefecture=([a-z]+)" aria-label="([^"]+) (\d+)人" class="tile tile-level-(\d)">'
)


def tiles(body: str) -> dict[str, tuple[str, int, int]]:
    return {slug: (label, int(count), int(level)) for slug, label, count, level in TILE.findall(body)}


@pytest.fixture
def spread():
    SupporterFactory(nationwide=True, regions=())
    SupporterFactory(regions=("kinki",))
    SupporterFactory(regions=(), prefectures=("kyoto", "osaka"))
    SupporterFactory(regions=("kanto",), prefectures=("okinawa",))
    SupporterFactory(regions=("kanto",), status="pending")  # not published: not counted


def test_positions_are_one_tile_per_prefecture_on_distinct_squares():
    assert set(tilemap.POSITIONS) == set(PREFECTURES.slugs)
    assert len(set(tilemap.POSITIONS.values())) == 47
    assert all(0 <= column < 13 and 0 <= row < 11 for column, row in tilemap.POSITIONS.values())


def test_every_tile_shows_what_the_list_shows_for_its_prefecture(client, spread):
    shown = tiles(client.get(HOME).content.decode())
    assert len(shown) == 47
    for prefecture in PREFECTURES:
        listed = client.get(LIST, {"prefecture": prefecture.slug}).context["page"].paginator.count
        assert shown[prefecture.slug][:2] == (prefecture.label, listed), prefecture.slug
    assert shown["kyoto"][1] == 3 and shown["tokyo"][1] == 2 and shown["okinawa"][1] == 2 and shown["aomori"][1] == 1


def test_map_count_equals_list_count_for_every_prefecture_on_the_demo(client):
    call_command("load_demo", stdout=io.StringIO())
    shown = tiles(client.get(LIST).content.decode())
    for prefecture in PREFECTURES:
        listed = client.get(LIST, {"prefecture": prefecture.slug}).context["page"].paginator.count
        assert shown[prefecture.slug][1] == listed, prefecture.slug


def test_each_tile_is_a_named_link_with_a_legend_and_a_table(client, spread):
    body = client.get(HOME).content.decode()
    assert '<a href="/supporters/?prefecture=tokyo" aria-label="東京都 2人"' in body
    assert 'class="tile-legend"' in body and "0人" in body
    # The same figures as a table, each prefecture a link.
    assert "<caption>都道府県ごとの専門家の数</caption>" in body
    assert re.search(r'<a href="/supporters/\?prefecture=kyoto">京都府</a></th><td class="num">3人</td>', body)


def test_colour_steps_grow_with_the_count():
    assert tilemap._level(0, 5) == 0
    assert tilemap._level(1, 5) == 1
    assert tilemap._level(5, 5) == 1
    assert tilemap._level(6, 5) == 2
    assert tilemap._level(20, 5) == 4
    assert tilemap._level(1, tilemap._step_size(0)) == 1


def test_a_change_to_the_directory_changes_the_map(client, spread):
    assert tiles(client.get(HOME).content.decode())["hokkaido"][1] == 1
    SupporterFactory(regions=("hokkaido",))
    assert tiles(client.get(HOME).content.decode())["hokkaido"][1] == 2


def test_the_map_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    SupporterFactory.create_batch(3)
    client.get(HOME)  # the list index is built once per version
    SupporterFactory.create_batch(30, regions=("kinki",))
    with django_assert_max_num_queries(3):
        client.get(HOME)
    with django_assert_max_num_queries(4):
        client.get(LIST, {"prefecture": "kyoto"})


def test_an_empty_directory_shows_every_prefecture_at_zero(client):
    body = client.get(HOME).content.decode()
    shown = tiles(body)
    assert len(shown) == 47 and {count for _, count, _ in shown.values()} == {0}
    assert {level for _, _, level in shown.values()} == {0}


def test_the_map_is_drawn_once_per_directory_version_not_for_every_search(client, spread):
    # The page cache is off in tests: each request below runs the view.
    first = client.get(LIST, {"region": "kinki"})
    again = client.get(LIST, {"region": "kanto"})
    home = client.get(HOME)
    drawn = [[t.name for t in r.templates].count("supporters/_tile_map.html") for r in (first, again, home)]
    assert drawn == [1, 0, 1]  # the list's variant once, then kept; the home page's own variant once
    assert tiles(again.content.decode()) == tiles(first.content.decode())
    SupporterFactory(regions=(), prefectures=("okinawa",))  # a change: a new version
    after = client.get(LIST, {"region": "kanto"})
    assert [t.name for t in after.templates].count("supporters/_tile_map.html") == 1
    assert tiles(after.content.decode())["okinawa"][1] == tiles(first.content.decode())["okinawa"][1] + 1
