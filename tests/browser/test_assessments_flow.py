"""The three-visit flow in a real browser, by keyboard, axe-clean on every page."""

import datetime
import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assessments.catalogue import install_seed_catalogue
from assessments.reports import SHEET_HEAD_ROW
from tests.assessments.factories import expert_with_account
from tests.browser.conftest import check_page, login, press, sized, submit, type_into
from tests.factories import PASSWORD, UserFactory
from tests.mailbox import sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    install_seed_catalogue()  # transactional tests empty the tables between tests
    company = UserFactory(email="company@example.jp", last_name="鈴木", first_name="次郎")
    expert_user, supporter = expert_with_account(registration_no="012345", name="応援 太郎")
    return company, expert_user


def new_page(browser, live_server):
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def choose(select, steps):
    """Pick an option of a closed <select> with the arrow keys."""
    select.focus()
    for _ in range(steps):
        select.page.keyboard.press("ArrowDown")


def record_meetings(page, detail_url, days_ago):
    page.goto(detail_url + "meetings/")
    today = datetime.date.today()
    for n, days in enumerate(days_ago, start=1):
        day = today - datetime.timedelta(days=days)
        page.locator(f"#id_form-{n - 1}-date").fill(day.isoformat())  # date pickers: typed value
        attendees = page.locator(f"#id_form-{n - 1}-attendees")
        if not attendees.input_value():
            type_into(attendees, "代表取締役社長 情報太郎")
    submit(page.get_by_role("button", name="保存する"))
    page.wait_for_url(detail_url)


@pytest.mark.parametrize("company_width,expert_width", [(375, 1280), (1280, 375)])
def test_three_visit_flow_by_keyboard(page, browser, live_server, axe, people, company_width, expert_width):
    """Both sides from start to agreement, each at a phone's and a laptop's width."""
    company_user, expert_user = people
    c = sized(page, company_width)
    login(c, company_user.email, PASSWORD)

    # The company starts, with the expert pre-filled from the 個票 link.
    c.goto("/assessments/new/?expert=012345")
    check_page(c, axe)
    assert c.get_by_label("専門家の登録番号").input_value() == "012345"
    type_into(c.get_by_label("企業名"), "AAA株式会社")
    type_into(c.get_by_label("作成責任者 役職"), "情報システム部長")
    type_into(c.get_by_label("作成責任者 氏名"), "鈴木次郎")
    submit(c.get_by_role("button", name="始める"))
    c.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assert c.locator('[aria-current="step"]').inner_text().startswith("参加者の招待中")
    check_page(c, axe)
    detail_url = c.url

    # The expert accepts from their page.
    e = sized(new_page(browser, live_server), expert_width)
    login(e, expert_user.email, PASSWORD)
    e.goto("/assessments/")
    check_page(e, axe)
    submit(e.get_by_role("button", name="AAA株式会社の依頼を承諾する"))
    e.wait_for_url(detail_url)
    assert "① 企業の自己評価" in e.locator('[aria-current="step"]').inner_text()
    check_page(e, axe)

    # Meetings: ①, ② held; ③ planned for five days from now.
    record_meetings(e, detail_url, (20, 10, -5))

    # ① The company fills its columns; the page says what each choice means.
    c.goto(detail_url)
    submit(c.get_by_role("link", name="企業が記入する欄を記入する"))
    c.wait_for_url(re.compile(r"/sheet/edit/$"))
    assert c.get_by_role("heading", name="記入欄の見方").is_visible()
    assert "★3基準の達成を保証するものではありません" in c.get_by_role("note").inner_text()
    check_page(c, axe, "sheet-edit-company")
    results = c.locator("select[name$='-result']")
    assert results.count() == 12
    for i in range(12):
        choose(results.nth(i), 1 if i % 3 else 2)  # 対応済 / 一部対応済
    type_into(c.get_by_label("結果に関するコメント(ポリシー)"), "社内ポータルに掲載している。")
    assert c.locator("select[name$='-evaluation']").count() == 0  # not the company's column
    submit(c.get_by_role("button", name="保存する"))
    c.wait_for_url(re.compile(r"/sheet/$"))
    policy = c.get_by_role("article", name="ポリシー")
    assert "社内ポータルに掲載している。" in policy.inner_text()
    company_box = policy.locator(".sheet-company").bounding_box()
    expert_box = policy.locator(".sheet-expert").bounding_box()
    if company_width >= 1024:  # side by side
        assert company_box["y"] == expert_box["y"] and company_box["x"] < expert_box["x"]
    else:  # one under the other
        assert company_box["y"] + company_box["height"] <= expert_box["y"]
    check_page(c, axe, "sheet-company")
    c.goto(detail_url)
    submit(c.get_by_role("button", name="自己評価を専門家に提出する"))
    c.wait_for_url(detail_url)
    assert "② 専門家の評価" in c.locator('[aria-current="step"]').inner_text()

    # ② The expert evaluates while the company corrects a comment: both saves stand.
    e.goto(detail_url + "sheet/edit/")
    c.goto(detail_url + "sheet/edit/")
    check_page(e, axe, "sheet-edit-expert")
    evaluations = e.locator("select[name$='-evaluation']")
    for i in range(12):
        choose(evaluations.nth(i), 2 if i in (5, 6) else 1)  # 改善要 / 適合
    press(e.get_by_label("文書類").first, "Space")
    type_into(e.get_by_label("専門家コメント(意識向上とトレーニング)"), "インシデント発生時の訓練が必須と考える。")
    type_into(c.get_by_label("結果に関するコメント(意識向上とトレーニング)"), "訓練は未実施。")
    submit(c.get_by_role("button", name="保存する"))
    submit(e.get_by_role("button", name="保存する"))
    e.wait_for_url(re.compile(r"/sheet/$"))
    row = e.get_by_role("article", name="意識向上とトレーニング").inner_text()
    assert "訓練は未実施。" in row and "インシデント発生時の訓練が必須と考える。" in row
    check_page(e, axe, "sheet-expert")
    e.goto(detail_url)
    submit(e.get_by_role("button", name="評価を確定する"))
    e.wait_for_url(detail_url)
    e.goto(detail_url + "summary/")
    check_page(e, axe, "summary")
    assert e.get_by_role("img", name=re.compile("大分類ごとの評価結果")).is_visible()

    # The expert writes 2. 評価結果.
    e.goto(detail_url + "plan/")
    check_page(e, axe)
    submit(e.get_by_role("link", name="評価結果を記入する"))
    check_page(e, axe)
    type_into(e.get_by_label("2. 評価結果"), "訓練が実施されていないところが課題である。")
    submit(e.get_by_role("button", name="保存する"))
    e.wait_for_url(re.compile(r"/plan/$"))

    # ③ The company completes the plan (prefilled from 改善要).
    c.goto(detail_url + "plan/")
    assert "意識向上とトレーニング: インシデント発生時の訓練が必須と考える。" in c.locator(".plan-items").inner_text()
    submit(c.get_by_role("link", name="作成日と改善計画案を記入する"))
    check_page(c, axe)
    type_into(c.locator("#id_items-0-timing"), "2026/3 末までに計画策定")
    submit(c.get_by_role("button", name="保存する"))
    c.wait_for_url(re.compile(r"/plan/$"))
    # ③ is five days away: the rule is on the page, and no button offers a refused agreement.
    agreement = c.get_by_role("region", name="合意の状況").inner_text()
    assert "③が先の日付のうちは合意できません" in agreement and "合意はその日から行えます" in agreement
    assert c.get_by_role("button", name="この内容で合意する").count() == 0
    check_page(c, axe, "plan-before-third-meeting")

    # ③ has taken place (recorded as yesterday): the company opens the plan to agree …
    record_meetings(e, detail_url, (20, 10, 1))
    c.goto(detail_url + "plan/")
    # … while the expert rewrites 2. 評価結果: agreeing now would cover a text the company has not seen.
    e.goto(detail_url + "plan/edit/")
    type_into(e.get_by_label("2. 評価結果"), "バックアップの復旧手順も課題である。")
    submit(e.get_by_role("button", name="保存する"))
    e.wait_for_url(re.compile(r"/plan/$"))
    submit(c.get_by_role("button", name="この内容で合意する"))
    changes = c.get_by_role("table", name="あなたが見た内容と、いまの内容の違い").inner_text()
    assert "2. 評価結果" in changes and "バックアップの復旧手順も課題である。" in changes
    check_page(c, axe, "plan-agreement-refused")
    # Having seen the difference, the company agrees to the text as it now is.
    submit(c.get_by_role("button", name="この内容で合意する"))
    c.wait_for_url(re.compile(r"/plan/$"))
    assert "相手の合意を待っています" in c.get_by_role("status").inner_text()
    check_page(c, axe)
    e.goto(detail_url + "plan/")
    submit(e.get_by_role("button", name="この内容で合意する"))
    e.wait_for_url(re.compile(r"/plan/$"))
    assert "双方が合意しました" in e.get_by_role("status").inner_text()
    assert "合意済み" in e.get_by_role("heading", level=1).inner_text()
    check_page(e, axe, "plan-agreed")
    # The xlsx names its 版 and 合意日.
    with c.expect_download() as download:
        c.goto(detail_url + "plan/")
        press(c.get_by_role("link", name="Excel形式(.xlsx)でダウンロード"))
    ws = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    labels = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(1, 6)}
    today = datetime.date.today()
    assert labels["版"] == "第1版" and labels["合意日"] == f"{today.year}年 {today.month}月 {today.day}日"
    e.goto(detail_url)
    assert "改善計画 合意済み" in e.locator('[aria-current="step"]').inner_text()
    check_page(e, axe)
    e.goto(detail_url + "sheet/history/")
    check_page(e, axe)
    e.context.close()


def test_expert_invites_company_which_signs_up_from_the_link(page, axe, people):
    _, expert_user = people
    login(page, expert_user.email, PASSWORD)
    page.goto("/assessments/new/expert/")
    axe(page)
    type_into(page.get_by_label("企業名"), "BBB株式会社")
    type_into(page.get_by_label("企業のご担当者のメールアドレス"), "tanto@example.jp")
    submit(page.get_by_role("button", name="始める"))
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    link = re.search(r"https?://\S+/assessments/join/\S+/", sent()[0].body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    axe(page)
    type_into(page.locator("#id_last_name"), "担当")
    type_into(page.locator("#id_first_name"), "花子")
    type_into(page.locator("#id_password1"), "kaizen-keikaku-2025")
    type_into(page.locator("#id_password2"), "kaizen-keikaku-2025")
    submit(page.get_by_role("button", name="アカウントを作成して参加する"))
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assert "① 企業の自己評価" in page.locator('[aria-current="step"]').inner_text()
    axe(page)


def test_sheet_xlsx_download_has_the_seeds_headings(page, people):
    company_user, _ = people
    login(page, company_user.email, PASSWORD)
    page.goto("/assessments/new/")
    type_into(page.get_by_label("企業名"), "CCC株式会社")
    submit(page.get_by_role("button", name="始める"))
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    page.goto(page.url + "sheet/")
    with page.expect_download() as download:
        press(page.get_by_role("link", name="Excel形式(.xlsx)でダウンロード"))
    ws = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    headings = [ws.cell(r, col).value for r in (SHEET_HEAD_ROW, SHEET_HEAD_ROW + 1) for col in range(1, 13)]
    for heading in [
        "大分類",
        "中分類",
        "★3 要求事項 No.",
        "要求事項",
        "企業が記入する欄",
        "確認結果",
        "結果に関するコメント",
        "評価手続き (実施したものに○印)",
        "文書類",
        "システム機能",
        "現場観察",
        "ヒアリング",
        "評価結果 (専門家が記入)",
        "専門家コメント",
    ]:
        assert heading in headings, heading
