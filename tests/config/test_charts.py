"""The kernel's bar charts: geometry by scale, and the table that carries the same figures."""

from django.template.loader import render_to_string

from config.charts import COUNT_SPACE, Bar, BarChart, percent


def table(chart):
    return render_to_string("charts/bar_table.html", {"chart": chart})


def test_count_bars_scale_to_the_longest_and_the_table_totals_them():
    chart = BarChart("c", "申込の経路", "経路", [Bar.single("メール", 30), Bar.single("ウェブ", 10)])
    first, second = (bar.segments[0] for bar in chart.bars)
    longest = chart.width - COUNT_SPACE  # the rest is room for the figure after the bar
    assert (first.width, second.width) == (longest, round(longest / 3))
    html = table(chart)
    assert "<caption>申込の経路</caption>" in html
    assert '<th scope="row">合計</th><td class="num">40</td>' in html


def test_bars_that_count_one_thing_several_times_have_no_total():
    # An expert serving 関東 and 近畿 stands in both bars: a 合計 would count them twice.
    bars = [Bar.single("関東", 160), Bar.single("近畿", 95)]
    html = table(BarChart("r", "地域別の専門家数", "地域", bars, unit="人", adds_up=False))
    assert "合計" not in html
    assert '<td class="num">160</td>' in html


def test_proportion_bars_fill_the_width_with_shares_of_their_own_total():
    chart = BarChart(
        "p",
        "大分類ごとの対応状況",
        "大分類",
        [Bar("組織", [Bar.single("対応済", 3).segments[0], Bar.single("未対応", 1).segments[0]])],
        scale="proportion",
    )
    done, missing = chart.bars[0].segments
    assert (done.share, missing.share) == (percent(3, 4), percent(1, 4))
    assert done.width + missing.width == chart.width
    assert "合計" not in table(chart)
