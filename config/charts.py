"""Bar charts drawn on the server as SVG, always shown with the same figures as a table.

One geometry for every chart on the site (survey results, the case flow, an
assessment's summary, public figures). Each row has its label above the bar,
so long Japanese labels never need truncating and the chart narrows well on
a phone. Three scales:

- ``count``: the longest bar fills the width (counts compared with each other);
- ``share``: a bar is its ``share`` percent of the width (e.g. of respondents);
- ``proportion``: every bar fills the width and its segments are the parts of
  its own total (a 100 % stacked bar, for comparing rows of different sizes).

A bar may carry a ``note`` (something that happened in that row, such as a
mail sent): the chart marks it ◆ after the row's label, the table gives it a
column of its own.

The templates are ``charts/bar_chart.html`` (the SVG, with a title that names
every figure) and ``charts/bar_table.html`` (the table with the same figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

WIDTH = 400  # viewBox width; CSS scales the chart to its container
LABEL_HEIGHT = 20  # the label line above each bar
BAR_HEIGHT = 18
ROW_GAP = 12
COUNT_SPACE = 84  # room after the longest bar for "1,234件(100.0%)"
LEGEND_HEIGHT = 28
MIN_LABELLED_SEGMENT = 40  # narrower segments leave their figure to the table


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Segment:
    label: str
    count: int
    css: str = ""  # the style of its fill: .chart-fill-<css>
    x: int = 0
    width: int = 0
    share: Decimal | None = None  # of its bar's total (proportion scale)

    @property
    def shows_figure(self) -> bool:
        return self.width >= MIN_LABELLED_SEGMENT


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    share: Decimal | None = None  # shown after the count (share scale)
    y: int = 0  # top of the label line
    note: str = ""  # something that happened in this row (e.g. a mail sent), marked ◆ after the label

    @classmethod
    def single(cls, label: str, count: int, share: Decimal | None = None) -> Bar:
        return cls(label, [Segment(label, count)], share)

    @property
    def count(self) -> int:
        return sum(segment.count for segment in self.segments)

    @property
    def label_y(self) -> int:
        return self.y + LABEL_HEIGHT - 6

    @property
    def bar_y(self) -> int:
        return self.y + LABEL_HEIGHT

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 5

    @property
    def note_x(self) -> int:
        """Where the note starts on the label line: after the label (14 px per full-width character)."""
        return sum(14 if ord(ch) > 0x2E7F else 8 for ch in self.label) + 10

    @property
    def end_x(self) -> int:
        return max((s.x + s.width for s in self.segments), default=0)


@dataclass
class BarChart:
    slug: str  # unique on the page: ids of the SVG's title
    title: str  # what is counted: the SVG's title and the table's caption
    label_heading: str  # the table's first column
    bars: list[Bar]
    scale: Literal["count", "share", "proportion"] = "count"
    unit: str = "件"
    legend: list[Segment] = field(default_factory=list)
    # Whether each thing counted stands in one bar only, so the bars add up to a whole. Where one
    # thing may stand in several (an expert serving many regions), a 合計 row would count it twice.
    adds_up: bool = True

    def __post_init__(self):
        area = WIDTH - COUNT_SPACE
        top = max((bar.count for bar in self.bars), default=0)
        if self.scale == "proportion" and self.bars:
            self.legend = [Segment(s.label, 0, s.css) for s in self.bars[0].segments]
        offset = LEGEND_HEIGHT if self.legend else 0
        for index, bar in enumerate(self.bars):
            bar.y = offset + index * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP)
            x = 0
            for segment in bar.segments:
                if self.scale == "proportion":
                    segment.share = percent(segment.count, bar.count)
                    segment.width = round(WIDTH * segment.count / bar.count) if bar.count else 0
                elif self.scale == "share":
                    segment.width = round(float(bar.share or 0) * area / 100)
                else:
                    segment.width = round(area * segment.count / top) if top else 0
                segment.x = x
                x += segment.width

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        offset = LEGEND_HEIGHT if self.legend else 0
        return offset + max(len(self.bars), 1) * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP)

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def stacked(self) -> bool:
        return self.scale == "proportion"

    @property
    def has_notes(self) -> bool:
        return any(bar.note for bar in self.bars)

    @property
    def legend_items(self) -> list[tuple[Segment, int]]:
        """Each legend entry and its x (entries side by side)."""
        return [(segment, index * 110) for index, segment in enumerate(self.legend)]

    @property
    def description(self) -> str:
        """Every figure in one sentence: the SVG's accessible name."""
        parts = []
        for bar in self.bars:
            if self.stacked:
                figures = "、".join(f"{s.label}{s.count}{self.unit}" for s in bar.segments)
                parts.append(f"{bar.label}: {figures}")
            else:
                share = f"({bar.share}%)" if bar.share is not None else ""
                note = f"(◆{bar.note})" if bar.note else ""
                parts.append(f"{bar.label} {bar.count}{self.unit}{share}{note}")
        return f"{self.title}の棒グラフ。" + "。".join(parts) + ("。" if parts else "データはありません。")
