"""Summary, chart, xlsx downloads, progress over time, demo data."""

import io
from io import BytesIO

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessments import demo
from assessments.models import Assessment, Stage
from assessments.reports import SHEET_HEAD_ROW

from .factories import hold_meetings, make_assessment


def test_summary_counts_chart_and_improvement_rows(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    client.force_login(company_user)
    page = client.get(reverse("assessments:summary", args=[a.pk])).content.decode()
    assert '<svg class="chart" role="img" aria-labelledby="chart-majors-title"' in page
    assert "攻撃等の防御: 適合3件、改善要2件、未評価0件" in page  # the chart's accessible name
    # Proportions, not counts: 攻撃等の防御 has 5 中分類, 2 of them 改善要, drawn as 60 % and 40 % of the width.
    assert 'width="240" height="18"></rect>' in page and 'width="160" height="18"></rect>' in page
    # The same figures as a table.
    row = page.split('<th scope="row">攻撃等の防御</th>')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]] == ["3", "2", "0", "5"]
    assert "(60.0%)" in row and "(40.0%)" in row
    assert '<th scope="row">対応済</th><td class="num">12</td>' in page
    assert '<th scope="row">改善要</th><td class="num">2</td>' in page
    improve = page.split('<ul class="improve-list">')[1].split("</ul>")[0]
    assert "<h3>意識向上とトレーニング<span" in improve and "<h3>データセキュリティ<span" in improve
    assert improve.count("<li>") == 2


def test_sheet_xlsx_has_the_seeds_columns(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    client.force_login(company_user)
    response = client.get(reverse("assessments:sheet-xlsx", args=[a.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(response.content)).active
    top = [ws.cell(SHEET_HEAD_ROW, c).value for c in range(1, 13)]
    sub = [ws.cell(SHEET_HEAD_ROW + 1, c).value for c in range(1, 13)]
    assert top[:5] == ["大分類", "中分類", "★3 要求事項 No.", "要求事項", "企業が記入する欄"]
    assert top[6] == "評価手続き (実施したものに○印)" and top[10:] == ["評価結果 (専門家が記入)", "専門家コメント"]
    assert sub[4:10] == ["確認結果", "結果に関するコメント", "文書類", "システム機能", "現場観察", "ヒアリング"]
    first = [ws.cell(SHEET_HEAD_ROW + 2, c).value for c in range(1, 13)]
    assert first[:3] == ["ガバナンスの整備", "役割、責任、権限", "1-2-1\n1-2-3"]
    assert first[4] == "対応済" and first[6] == "○" and first[10] == "適合"
    assert ws.max_row == SHEET_HEAD_ROW + 1 + 12
    assert ws.print_title_rows == f"${SHEET_HEAD_ROW}:${SHEET_HEAD_ROW + 1}"


def test_plan_xlsx_follows_the_example(client, company_user, expert):
    a = make_assessment(
        company_user=company_user,
        expert=expert[1],
        stage="planning",
        responsible_title="情報システム部長",
        responsible_name="鈴木次郎",
    )
    hold_meetings(a)
    client.force_login(company_user)
    response = client.get(reverse("assessments:plan-xlsx", args=[a.pk]))
    ws = load_workbook(BytesIO(response.content)).active
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    for label in [
        "改善計画書",
        "作成",
        "1. 実施内容(企業が記入)",
        "企業名",
        "作成責任者 役職・氏名",
        "専門家氏名",
        "打合せ日時 (出席者)",
        "2. 評価結果(専門家が記入)",
        "3. 改善計画案(企業が記入)",
        "内容:",
        "実施時期:",
        "情報システム部長 鈴木次郎",
        a.company.name,
    ]:
        assert label in values, label
    assert any(v.startswith("① ") and "14:00~17:00" in v for v in values)
    assert any(v.startswith("1. 意識向上とトレーニング") for v in values)


def test_plan_before_review_says_when_it_comes(client, assessment, company_user):
    client.force_login(company_user)
    page = client.get(reverse("assessments:plan", args=[assessment.pk])).content.decode()
    assert "専門家が評価を確定した後" in page
    assert client.get(reverse("assessments:plan-xlsx", args=[assessment.pk])).status_code == 404


def test_company_sees_progress_across_assessments(client, company_user, expert):
    first = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    company = first.company
    later = make_assessment(company_user=company_user, expert=expert[1], stage="inviting")
    Assessment.objects.filter(pk=later.pk).update(company=company)
    client.force_login(company_user)
    page = client.get(reverse("assessments:list")).content.decode()
    assert "自社のアセスメント(推移)" in page and company.name in page
    assert page.index(first.get_absolute_url()) < page.index(later.get_absolute_url())  # oldest first


def test_load_demo_creates_the_demo_companies(db):
    call_command("load_demo", stdout=io.StringIO())
    one = Assessment.objects.get(company__members__username="demo-company@example.jp")
    two = Assessment.objects.get(company__members__username="demo-company2@example.jp")
    assert one.stage == Stage.EXPERT_REVIEW and two.stage == Stage.AGREED
    assert one.expert.user.username == two.expert.user.username == "demo-expert@example.jp"
    assert two.plans.get().is_locked
    assert demo.load() == 0  # a second run adds nothing
    assert Assessment.objects.count() == 2


def _cells(ws) -> dict[str, object]:
    """Each label in column C with the value beside it (the plan's header block)."""
    return {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(1, 6) if ws.cell(r, 3).value}


def test_plan_xlsx_carries_its_revision_and_agreement_day(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    hold_meetings(a)
    client.force_login(company_user)
    url = reverse("assessments:plan-xlsx", args=[a.pk])
    ws = load_workbook(BytesIO(client.get(url).content)).active
    assert _cells(ws)["版"] == "第1版" and _cells(ws)["合意日"].startswith("未合意")
    plan = a.plans.get()
    client.post(reverse("assessments:plan-agree", args=[a.pk]), {"version": plan.version})
    client.force_login(expert[0])
    client.post(reverse("assessments:plan-agree", args=[a.pk]), {"version": plan.version})
    plan.refresh_from_db()
    ws = load_workbook(BytesIO(client.get(url).content)).active
    day = plan.agreed_on
    assert _cells(ws)["合意日"] == f"{day.year}年 {day.month}月 {day.day}日"


def test_plan_xlsx_rows_are_tall_enough_for_their_text(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    plan = a.plans.get()
    long_item = "バックアップの取得手順と復旧手順を文書にまとめ、年に一度は実際に復旧を試す。" * 5  # 190 全角
    plan.items.filter(number=1).update(content=long_item, timing="(1) 2026/3 末までに計画策定\n(2) 2026/5~6 に初回実施")
    plan.evaluation_summary = "規程類はよく整備されているが、訓練が実施されていないところが課題である。" * 8
    plan.save()
    client.force_login(company_user)
    ws = load_workbook(BytesIO(client.get(reverse("assessments:plan-xlsx", args=[a.pk])).content)).active
    rows = {str(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    # Content A:B is 58 characters wide: 190 全角 take 380 units, at least 7 lines.
    assert ws.row_dimensions[rows[f"1. {long_item}"]].height >= 7 * 15
    # The summary spans A:D (108 wide): 296 全角 take at least 6 lines.
    assert ws.row_dimensions[rows[plan.evaluation_summary]].height >= 6 * 15
    # A short item keeps a one- or two-line row.
    short = rows["2. データセキュリティ: コメント6"]
    assert ws.row_dimensions[short].height <= 2 * 15 + 4
