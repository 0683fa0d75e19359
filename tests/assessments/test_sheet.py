"""Saving the sheet: revisions kept, stale saves refused, constant queries."""

from django.urls import reverse

from assessments.models import SheetRevision
from tests.factories import UserFactory, login_staff

from .factories import make_assessment
from .test_flow import company_values, expert_values, sheet_post


def test_a_stale_save_is_refused_and_the_input_kept(client, assessment, company_user):
    colleague = UserFactory(email="colleague@example.jp")
    assessment.company.members.add(colleague)
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    mine = sheet_post(assessment, "company", company_values("done"), version=0)
    mine["form-0-company_comment"] = "わたしの入力"
    # The colleague saves first, from the same version.
    client.force_login(colleague)
    theirs = sheet_post(assessment, "company", company_values("partial"), version=0)
    theirs["form-0-company_comment"] = "同僚の入力"
    assert client.post(edit, theirs).status_code == 302

    client.force_login(company_user)
    response = client.post(edit, mine)
    body = response.content.decode()
    assert response.status_code == 409
    assert "保存できませんでした(ほかの人が先に保存しました)" in body
    assert "わたしの入力" in body  # the user's input is still in the form
    assert "最新の保存内容" in body and "同僚の入力" in body
    assert 'name="version" value="1"' in body
    row = assessment.rows.order_by("middle__number").first()
    assert row.company_comment == "同僚の入力"
    # Having seen the latest, saving again is deliberate and goes through.
    mine["version"] = "1"
    assert client.post(edit, mine).status_code == 302
    row.refresh_from_db()
    assert row.company_comment == "わたしの入力"
    assert list(SheetRevision.objects.filter(side="company").values_list("version", flat=True).order_by("version")) == [
        1,
        2,
    ]


def test_company_and_expert_saving_at_once_do_not_refuse_each_other(client, assessment, company_user, expert):
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    company_form = sheet_post(assessment, "company", company_values(), version=0)
    expert_form = sheet_post(assessment, "expert", expert_values(), version=0)
    client.force_login(company_user)
    assert client.post(edit, company_form).status_code == 302
    client.force_login(expert[0])
    assert client.post(edit, expert_form).status_code == 302
    row = assessment.rows.order_by("middle__number").first()
    assert row.result == "done" and row.evaluation == "conform"


def test_revisions_keep_earlier_versions(client, assessment, company_user):
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    client.force_login(company_user)
    client.post(edit, sheet_post(assessment, "company", company_values("not_done")))
    client.post(edit, sheet_post(assessment, "company", company_values("done")))
    first = SheetRevision.objects.get(version=1)
    history = client.get(reverse("assessments:sheet-history", args=[assessment.pk])).content.decode()
    assert "企業の欄 第1版" in history and "企業の欄 第2版" in history
    page = client.get(reverse("assessments:sheet-revision", args=[assessment.pk, first.pk])).content.decode()
    rows = page.split('class="sheet-major"', 1)[1]
    assert "未対応" in rows and "対応済" not in rows


def test_staff_see_the_sheet_read_only(client, assessment, staff):
    login_staff(client, staff)
    page = client.get(reverse("assessments:sheet", args=[assessment.pk])).content.decode()
    assert "アセスメントシート" in page and "を記入する</a>" not in page
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, sheet_post(assessment, "company", company_values())).status_code == 404
    assert not assessment.rows.exclude(result="").exists()


def test_sheet_shows_requirements_and_escapes_input(client, assessment, company_user):
    row = assessment.rows.order_by("middle__number").first()
    row.company_comment = "<b>太字</b>"
    row.save()
    client.force_login(company_user)
    page = client.get(reverse("assessments:sheet", args=[assessment.pk])).content.decode()
    assert "★3 要求事項 No. 1-2-1、1-2-3" in page and "守秘義務のルールを策定し、遵守させること。" in page
    assert "&lt;b&gt;太字&lt;/b&gt;" in page
    assert page.count('class="sheet-major"') == 7  # one section per 大分類
    assert page.count("<h4>企業が記入する欄</h4>") == page.count("<h4>専門家が記入する欄</h4>") == 12


def test_the_sheet_explains_its_choices_and_states_the_seeds_caveats(client, assessment, company_user, expert):
    for user, url in [
        (company_user, reverse("assessments:sheet", args=[assessment.pk])),
        (company_user, reverse("assessments:sheet-edit", args=[assessment.pk])),
        (expert[0], reverse("assessments:sheet-edit", args=[assessment.pk])),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        for label, meaning in [
            ("対応済", "要求事項の対策を実施し、日常の運用でも守られている。"),
            ("一部対応済", "対策を実施しているが、対象の一部"),
            ("対応準備中", "まだ実施していないが、実施に向けた準備"),
            ("文書類", "規程・手順書・記録・契約書などの文書を読んで確かめた。"),
            ("システム機能", "システムの設定、管理画面、ログなどを見て"),
            ("現場観察", "事務所やサーバ室などの現場で、運用の様子を実際に見て確かめた。"),
            ("ヒアリング", "担当者や経営者に質問し"),
            ("改善要", "要求事項を満たしていない、または改善が必要。"),
        ]:
            assert f"<dt>{label}</dt><dd>{meaning}" in page, (url, label)
        assert "SCS評価制度は現在立ち上げ検討中で、要求事項・評価基準は確定に向けて適宜修正される" in page
        assert "★3基準の達成を保証するものではありません。" in page


def test_evaluation_criteria_show_under_their_requirement(client, assessment, company_user, catalogue):
    requirement = catalogue.requirements.get(code="1-2-1")
    requirement.criteria.create(code="1-2-1-1", text="担当部署が文書で定められていること。")
    client.force_login(company_user)
    page = client.get(reverse("assessments:sheet", args=[assessment.pk])).content.decode()
    assert '<span class="criterion-code">1-2-1-1</span> 担当部署が文書で定められていること。' in page


def _queries_for(client, django_assert_num_queries, url, n):
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


def test_sheet_pages_run_a_constant_number_of_queries(client, company_user, expert, django_assert_num_queries):
    early = make_assessment(company_user=company_user, expert=expert[1], stage="self_check")
    late = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    client.force_login(company_user)
    # One of each is the access rule's own check (config/access.py), one the menu's roles (config/navigation.py).
    for name, count in [("sheet", 9), ("sheet-edit", 10), ("summary", 9), ("detail", 9)]:
        for a in (early, late):
            _queries_for(client, django_assert_num_queries, reverse(f"assessments:{name}", args=[a.pk]), count)
    late.plans.get().items.create(number=9, content="追加の項目")
    _queries_for(client, django_assert_num_queries, reverse("assessments:plan", args=[late.pk]), 11)


def test_list_runs_a_constant_number_of_queries(client, company_user, expert, django_assert_num_queries):
    client.force_login(company_user)
    make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    with django_assert_num_queries(8):  # with the menu's roles (config/navigation.py)
        client.get(reverse("assessments:list"))
    for _ in range(3):
        make_assessment(company_user=company_user, expert=expert[1], stage="expert_review")
    with django_assert_num_queries(8):
        client.get(reverse("assessments:list"))


def test_a_stale_plan_save_is_refused(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    edit = reverse("assessments:plan-edit", args=[a.pk])
    client.force_login(expert[0])
    assert client.post(edit, {"version": "0", "evaluation_summary": "先に保存した評価"}).status_code == 302
    response = client.post(edit, {"version": "0", "evaluation_summary": "古い版からの評価"})
    body = response.content.decode()
    assert response.status_code == 409 and "ほかの人が先に保存しました" in body
    assert "古い版からの評価" in body and "先に保存した評価" in body
    assert a.plans.get().evaluation_summary == "先に保存した評価"
