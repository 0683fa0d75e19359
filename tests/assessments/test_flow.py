"""The three-visit flow over HTTP: start, invite, sheet, review, plan, agreement."""

import datetime

import pytest
from django.urls import reverse

from assessments.models import Assessment, ImprovementPlan, Invitation, Stage
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

from .factories import CompanyFactory, hold_meetings, make_assessment


def sheet_post(assessment, side, values, *, version=None):
    """A sheet form post: ``values`` maps a row index to its fields."""
    rows = list(assessment.rows.order_by("middle__number"))
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    assessment.refresh_from_db()
    data["version"] = str(version if version is not None else getattr(assessment, f"{side}_version"))
    for i, row in enumerate(rows):
        data[f"form-{i}-id"] = str(row.pk)
        fields = values.get(i, {})
        for name, value in fields.items():
            data[f"form-{i}-{name}"] = value
    return data


def company_values(result="done"):
    return {i: {"result": result, "company_comment": f"コメント{i}"} for i in range(12)}


def expert_values(improve=(5, 6)):
    return {
        i: {
            "procedures": ["documents", "hearing"],
            "evaluation": "improve" if i in improve else "conform",
            "expert_comment": f"・専門家の指摘{i}",
        }
        for i in range(12)
    }


def test_company_starts_with_prefilled_expert_and_the_expert_accepts(client, company_user, expert):
    expert_user, supporter = expert
    client.force_login(company_user)
    response = client.get(reverse("assessments:start") + "?expert=012345")
    assert 'value="012345"' in response.content.decode()
    response = client.post(
        reverse("assessments:start"),
        {
            "name": "AAA株式会社",
            "industry": "wholesale",
            "employees": "120",
            "responsible_title": "情報システム部長",
            "responsible_name": "鈴木次郎",
            "expert": "012345",
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assert assessment.stage == Stage.INVITING and assessment.expert is None
    assert assessment.company.members.get() == company_user
    assert assessment.rows.count() == 12 and assessment.meetings.count() == 3
    assert len(sent()) == 1 and sent()[0].to == [expert_user.email]
    assert "AAA株式会社" in sent()[0].body
    assert sent()[0].subject == "【支援者リスト】セキュリティアセスメントの依頼が届きました"

    client.force_login(expert_user)
    page = client.get(reverse("assessments:list")).content.decode()
    assert "AAA株式会社の依頼を承諾する" in page
    invitation = Invitation.objects.get()
    response = client.post(reverse("assessments:accept-invitation", args=[invitation.pk]))
    assessment.refresh_from_db()
    assert assessment.expert == supporter and assessment.stage == Stage.SELF_CHECK
    assert sent()[-1].to == [company_user.email] and "招待を承諾しました" in sent()[-1].body
    # Single use: a second acceptance is refused with a message, not a 500.
    response = client.post(reverse("assessments:accept-invitation", args=[invitation.pk]), follow=True)
    assert "使用済み" in response.content.decode()


@pytest.mark.parametrize(
    "number, reason", [("999999", "unknown"), ("000001", "pending"), ("000002", "no-account"), ("12ab", "format")]
)
def test_only_published_experts_with_an_account_can_be_invited(client, company_user, number, reason):
    SupporterFactory(registration_no="000001", status="pending", user=UserFactory())
    SupporterFactory(registration_no="000002", user=None)
    client.force_login(company_user)
    response = client.post(reverse("assessments:start"), {"name": "AAA株式会社", "expert": number})
    assert response.status_code == 200
    body = response.content.decode()
    assert "専門家の登録番号" in body and ("招待できません" in body or "6桁" in body)
    assert not Assessment.objects.exists() and not sent()


def test_company_start_requires_a_company_name(client, company_user):
    client.force_login(company_user)
    response = client.post(reverse("assessments:start"), {"name": ""})
    assert "企業名を入力してください。" in response.content.decode()
    assert not Assessment.objects.exists()


def test_company_columns_only_for_the_company_and_expert_columns_only_for_the_expert(
    client, assessment, company_user, expert
):
    client.force_login(company_user)
    values = company_values()
    values[0].update(evaluation="conform", expert_comment="企業が書いた専門家コメント", procedures=["documents"])
    response = client.post(
        reverse("assessments:sheet-edit", args=[assessment.pk]), sheet_post(assessment, "company", values)
    )
    assert response.status_code == 302
    row = assessment.rows.order_by("middle__number").first()
    assert row.result == "done" and row.company_comment == "コメント0"
    assert row.evaluation == "" and row.expert_comment == "" and row.procedures == []

    client.force_login(expert[0])
    values = expert_values()
    values[0].update(result="not_done", company_comment="専門家が書いた企業コメント")
    response = client.post(
        reverse("assessments:sheet-edit", args=[assessment.pk]), sheet_post(assessment, "expert", values)
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.result == "done" and row.company_comment == "コメント0"
    assert row.evaluation == "conform" and row.procedures == ["documents", "hearing"]


def test_rows_of_another_assessment_cannot_be_posted(client, assessment, company_user):
    other = make_assessment(company_user=UserFactory(), expert=None, stage="inviting")
    foreign = other.rows.first()
    client.force_login(company_user)
    data = sheet_post(assessment, "company", company_values())
    data["form-0-id"] = str(foreign.pk)
    response = client.post(reverse("assessments:sheet-edit", args=[assessment.pk]), data)
    assert response.status_code in (200, 302)  # the forged form is ignored, never saved
    foreign.refresh_from_db()
    assert foreign.result == ""


def test_bad_choice_is_a_japanese_message_naming_the_field(client, assessment, company_user):
    client.force_login(company_user)
    values = company_values()
    values[1]["result"] = "<script>"
    response = client.post(
        reverse("assessments:sheet-edit", args=[assessment.pk]), sheet_post(assessment, "company", values)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "確認結果(ポリシー)" in body and "表示されている選択肢から選んでください" in body
    assert "<script>" not in body
    assert not assessment.rows.exclude(result="").exists()


def test_full_three_visit_flow(client, assessment, company_user, expert):
    expert_user, _ = expert
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])

    # ① the company cannot hand in an incomplete sheet.
    client.force_login(company_user)
    response = client.post(reverse("assessments:submit-self-check", args=[assessment.pk]), follow=True)
    assert "確認結果が未記入の中分類が12件" in response.content.decode()
    client.post(edit, sheet_post(assessment, "company", company_values("partial")))
    client.post(reverse("assessments:submit-self-check", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.stage == Stage.EXPERT_REVIEW
    assert sent()[-1].to == [expert_user.email] and "企業が自己評価を提出しました" in sent()[-1].body

    # ② the expert evaluates and confirms; the plan is drafted from 改善要 rows.
    client.force_login(expert_user)
    client.post(edit, sheet_post(assessment, "expert", expert_values(improve=(5, 6))))
    client.post(reverse("assessments:submit-review", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.stage == Stage.PLANNING
    assert sent()[-1].to == [company_user.email] and "3. 改善計画案" in sent()[-1].body
    plan = assessment.plans.get()
    assert [i.content for i in plan.items.all()] == [
        "意識向上とトレーニング: 専門家の指摘5",
        "データセキュリティ: 専門家の指摘6",
    ]

    # The expert writes 2. 評価結果; the company 3. 改善計画案.
    response = client.post(
        reverse("assessments:plan-edit", args=[assessment.pk]),
        {
            "version": "0",
            "evaluation_summary": "規程類はよく整備されているが、訓練が課題である。",
        },
    )
    assert response.status_code == 302
    client.force_login(company_user)
    items = list(plan.items.all())
    response = client.post(
        reverse("assessments:plan-edit", args=[assessment.pk]),
        {
            "version": "1",
            "created_on": "2025-12-25",
            "items-TOTAL_FORMS": "4",
            "items-INITIAL_FORMS": "2",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-id": items[0].pk,
            "items-0-plan": plan.pk,
            "items-0-content": "教育・訓練の立案と実施",
            "items-0-timing": "(1) 2026/3 末までに計画策定",
            "items-1-id": items[1].pk,
            "items-1-plan": plan.pk,
            "items-1-content": "x",
            "items-1-DELETE": "on",
            "items-2-content": "バックアップ復旧手順を追記",
            "items-2-timing": "2026/3 末までに整備",
            "items-3-content": "",
            "items-3-timing": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    assert [(i.number, i.content) for i in plan.items.all()] == [
        (1, "教育・訓練の立案と実施"),
        (2, "バックアップ復旧手順を追記"),
    ]
    assert plan.evaluation_summary.startswith("規程類") and plan.created_on == datetime.date(2025, 12, 25)

    # ③ agreement needs meeting ③ on record; each side agrees to the version it saw.
    agree = reverse("assessments:plan-agree", args=[assessment.pk])
    response = client.post(agree, {"version": plan.version}, follow=True)
    assert "第3回の打合せ(③)の日付が記録されていません" in response.content.decode()
    hold_meetings(assessment)
    client.post(agree, {"version": plan.version})
    client.force_login(expert_user)
    response = client.post(agree, {"version": plan.version}, follow=True)
    assert "双方が合意しました" in response.content.decode()
    assert sent()[-1].to == [company_user.email] and "改善計画書が確定しました" in sent()[-1].body
    assessment.refresh_from_db()
    plan.refresh_from_db()
    assert assessment.stage == Stage.AGREED and plan.is_locked

    # Locked: no edits of the plan or the sheet.
    assert client.get(reverse("assessments:plan-edit", args=[assessment.pk])).status_code == 404
    assert client.get(edit).status_code == 302
    # A later change is a new revision; the agreed one stays as it was.
    client.post(reverse("assessments:plan-revise", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.stage == Stage.PLANNING
    assert list(assessment.plans.values_list("revision", flat=True)) == [2, 1]
    old, new = ImprovementPlan.objects.get(revision=1), ImprovementPlan.objects.get(revision=2)
    assert old.is_locked and not new.is_locked
    assert [i.content for i in new.items.all()] == [i.content for i in old.items.all()]
    page = client.get(reverse("assessments:plan-revision", args=[assessment.pk, 1])).content.decode()
    assert "第1版" in page and "合意済み" in page


def test_editing_the_plan_clears_an_earlier_agreement(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    hold_meetings(a)
    client.force_login(company_user)
    client.post(reverse("assessments:plan-agree", args=[a.pk]), {"version": "0"})
    assert a.plans.get().company_agreed_at is not None
    client.force_login(expert[0])
    client.post(reverse("assessments:plan-edit", args=[a.pk]), {"version": "0", "evaluation_summary": "変更"})
    assert a.plans.get().company_agreed_at is None


def test_meetings_are_recorded_with_validation(client, assessment, company_user):
    client.force_login(company_user)
    meetings = list(assessment.meetings.all())
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, m in enumerate(meetings):
        data[f"form-{i}-id"] = m.pk
    data.update(
        {
            "form-0-date": "2025-11-11",
            "form-0-start_time": "14:00",
            "form-0-end_time": "13:00",
            "form-1-attendees": "同上",
        }
    )
    response = client.post(reverse("assessments:meetings", args=[assessment.pk]), data)
    body = response.content.decode()
    assert "終了時刻は開始時刻より後にしてください。" in body and "日付を入力してください。" in body
    data.update({"form-0-end_time": "17:00", "form-1-date": "2025-12-02"})
    assert client.post(reverse("assessments:meetings", args=[assessment.pk]), data).status_code == 302
    assert assessment.meetings.get(number=1).when == "2025/11/11(火) 14:00~17:00"


def test_a_later_assessment_reuses_the_users_company(client, company_user):
    client.force_login(company_user)
    client.post(reverse("assessments:start"), {"name": "AAA株式会社"})
    company = Assessment.objects.get().company
    page = client.get(reverse("assessments:start")).content.decode()
    assert f'<option value="{company.pk}" selected>AAA株式会社</option>' in page
    client.post(reverse("assessments:start"), {"company": str(company.pk)})
    assert Assessment.objects.filter(company=company).count() == 2
    # A company the user does not belong to cannot be chosen.
    stranger = CompanyFactory()
    response = client.post(reverse("assessments:start"), {"company": str(stranger.pk)})
    assert response.status_code == 200 and "この企業の利用者ではありません。" in response.content.decode()
    assert not stranger.assessments.exists()
