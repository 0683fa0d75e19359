"""Where the experts are: a tile map of the 47 prefectures (a grid cartogram).

Each prefecture is one square tile at a fixed place on a grid that keeps
Japan's shape recognisable (``POSITIONS``, the one table of it), drawn on the
server as SVG (templates/supporters/_tile_map.html), and the same figures
follow as a table. A tile's figure is what the list shows for
``?prefecture=<slug>`` (the list index's ``counts``, worked out once per
directory version), and the tile links there.

The map reads nothing of the request and is the same under every search, so
its HTML is rendered once per directory version (``html``): drawn through the
template for each page, its 47 tiles and their table took longer than the
rest of a list page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from .index import DirectoryIndex, index_for
from .taxonomy import PREFECTURES, REGIONS, Prefecture

# (column, row) of each prefecture's tile: north-east at the top right, Okinawa at the bottom left.
POSITIONS = {
    "hokkaido": (12, 0),
    "aomori": (12, 1),
    "akita": (11, 2),
    "iwate": (12, 2),
    "yamagata": (11, 3),
    "miyagi": (12, 3),
    "ishikawa": (9, 4),
    "toyama": (10, 4),
    "niigata": (11, 4),
    "fukushima": (12, 4),
    "fukui": (8, 5),
    "gifu": (9, 5),
    "nagano": (10, 5),
    "gunma": (11, 5),
    "tochigi": (12, 5),
    "shimane": (4, 6),
    "tottori": (5, 6),
    "hyogo": (6, 6),
    "kyoto": (7, 6),
    "shiga": (8, 6),
    "aichi": (9, 6),
    "yamanashi": (10, 6),
    "saitama": (11, 6),
    "ibaraki": (12, 6),
    "saga": (1, 7),
    "fukuoka": (2, 7),
    "yamaguchi": (3, 7),
    "hiroshima": (4, 7),
    "okayama": (5, 7),
    "osaka": (6, 7),
    "nara": (7, 7),
    "mie": (8, 7),
    "shizuoka": (10, 7),
    "tokyo": (11, 7),
    "chiba": (12, 7),
    "nagasaki": (1, 8),
    "kumamoto": (2, 8),
    "oita": (3, 8),
    "ehime": (4, 8),
    "kagawa": (5, 8),
    "wakayama": (7, 8),
    "kanagawa": (11, 8),
    "kagoshima": (2, 9),
    "miyazaki": (3, 9),
    "kochi": (4, 9),
    "tokushima": (5, 9),
    "okinawa": (0, 10),
}

TILE = 44  # a tile's side in the viewBox
PITCH = 48  # a tile and the gap after it
LEVELS = 4  # colour steps for counts above zero (level 0 is "nobody")


@dataclass(frozen=True)
class Tile:
    prefecture: Prefecture
    count: int
    level: int
    x: int
    y: int

    @property
    def url(self) -> str:
        return f"{reverse('supporters:list')}?prefecture={self.prefecture.slug}"

    @property
    def name(self) -> str:
        """The link's accessible name: 「東京都 123人」."""
        return f"{self.prefecture.label} {self.count}人"

    @property
    def text_x(self) -> int:
        return self.x + TILE // 2


@dataclass(frozen=True)
class Step:
    level: int
    low: int
    high: int

    @property
    def label(self) -> str:
        if self.level == 0:
            return "0人"
        return f"{self.low}人" if self.low == self.high else f"{self.low}〜{self.high}人"


@dataclass(frozen=True)
class TileMap:
    tiles: list[Tile]
    legend: list[Step]
    regions: list[tuple[str, list[Tile]]]  # the table: tiles grouped by region

    width = 13 * PITCH
    height = 11 * PITCH
    tile = TILE


def _step_size(top: int) -> int:
    return max(1, math.ceil(top / LEVELS))


def _level(count: int, step: int) -> int:
    return 0 if count <= 0 else min(LEVELS, math.ceil(count / step))


def tile_map(directory: DirectoryIndex) -> TileMap:
    counts = directory.counts("prefecture")
    top = max(counts.values(), default=0)
    step = _step_size(top)
    tiles = []
    for prefecture in PREFECTURES:
        column, row = POSITIONS[prefecture.slug]
        count = counts[prefecture.slug]
        tiles.append(Tile(prefecture, count, _level(count, step), column * PITCH, row * PITCH))
    legend = [Step(0, 0, 0)]
    for level in range(1, LEVELS + 1):
        low, high = (level - 1) * step + 1, min(level * step, top)
        if low <= high:
            legend.append(Step(level, low, high))
    by_slug = {tile.prefecture.slug: tile for tile in tiles}
    regions = [(r.label, [by_slug[p.slug] for p in PREFECTURES if p.region == r.slug]) for r in REGIONS]
    return TileMap(tiles, legend, regions)


_rendered: tuple[DirectoryIndex, dict[tuple, SafeString | bytes]] | None = None


def html(version: str, *, on_list: bool) -> SafeString:
    """The map's HTML for directory ``version`` (``on_list``: the variant shown below a search),
    kept as long as the list's index it counts from (the version and the day)."""
    return _kept(version, on_list, encoded=False)


def encoded(version: str, *, on_list: bool) -> bytes:
    """``html`` in UTF-8, encoded once (the list page puts it in as it is: config.jinja2.EncodedParts)."""
    return _kept(version, on_list, encoded=True)


def _kept(version: str, on_list: bool, *, encoded: bool) -> SafeString | bytes:
    global _rendered
    directory = index_for(version)
    if _rendered is None or _rendered[0] is not directory:
        _rendered = (directory, {})
    pages = _rendered[1]
    key = (on_list, get_script_prefix(), encoded)  # its links start with the site's path
    if key not in pages:
        if encoded:
            pages[key] = html(version, on_list=on_list).encode()
        else:
            context = {"tile_map": tile_map(directory), "on_list": on_list}
            pages[key] = SafeString(render_to_string("supporters/_tile_map.html", context))
    return pages[key]
