"""Agreeing to the 改善計画書: the version seen, the ③ rule, the rule shown before the click."""

import datetime

from django.urls import reverse

from assessments.models import Meeting

from .factories import hold_meetings, make_assessment


def plan_url(a, name="plan"):
    return reverse(f"assessments:{name}", args=[a.pk])


def test_agreeing_to_a_text_changed_since_it_was_opened_is_refused_and_the_difference_shown(
    client, company_user, expert
):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    hold_meetings(a)
    client.force_login(company_user)
    page = client.get(plan_url(a)).content.decode()
    assert '<input type="hidden" name="version" value="0">' in page  # the version the company sees
    # The expert rewrites 2. 評価結果 while the company has the page open.
    client.force_login(expert[0])
    edit = {"version": "0", "evaluation_summary": "訓練が実施されていないところが課題である。"}
    assert client.post(plan_url(a, "plan-edit"), edit).status_code == 302

    client.force_login(company_user)
    response = client.post(plan_url(a, "plan-agree"), {"version": "0"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "合意できませんでした(開いた後に内容が変わっています)" in body
    assert '<th scope="row">2. 評価結果</th><td class="multiline">(未記入)</td>' in body
    assert '<td class="multiline">訓練が実施されていないところが課題である。</td>' in body
    assert '<input type="hidden" name="version" value="1">' in body  # now the text shown is the latest
    plan = a.plans.get()
    assert plan.company_agreed_at is None
    # Having seen the new text, agreeing to it goes through.
    response = client.post(plan_url(a, "plan-agree"), {"version": "1"}, follow=True)
    assert "合意しました。相手の合意を待っています。" in response.content.decode()
    plan.refresh_from_db()
    assert plan.company_agreed_at is not None


def test_a_changed_item_shows_what_it_was_and_what_it_is(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    hold_meetings(a)
    plan = a.plans.get()
    items = list(plan.items.all())
    client.force_login(company_user)
    post = {
        "version": "0",
        "created_on": "2025-12-25",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": items[0].pk,
        "items-0-plan": plan.pk,
        "items-0-content": items[0].content,
        "items-0-timing": "2026/3 末までに計画策定",
        "items-1-id": items[1].pk,
        "items-1-plan": plan.pk,
        "items-1-content": items[1].content,
        "items-1-DELETE": "on",
    }
    assert client.post(plan_url(a, "plan-edit"), post).status_code == 302
    client.force_login(expert[0])
    response = client.post(plan_url(a, "plan-agree"), {"version": "0"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "3. 改善計画案 項目1" in body and "実施時期: 2026/3 末までに計画策定" in body
    assert "3. 改善計画案 項目2" in body and "(この項目はありません)" in body
    assert "作成日" in body and "2025年12月25日" in body


def test_agreement_waits_for_a_third_meeting_dated_in_the_future(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    soon = datetime.date.today() + datetime.timedelta(days=5)
    hold_meetings(a, days_ago=(30, 15, -5))
    client.force_login(company_user)
    page = client.get(plan_url(a)).content.decode()
    # The rule is on the page before any click, and no button offers what would be refused.
    assert "③の日付が今日か、それより前になると合意できます。③が先の日付のうちは合意できません。" in page
    assert f"第3回の打合せ(③)は {soon.year}/{soon.month}/{soon.day}(" in page and "合意はその日から行えます。" in page
    assert "この内容で合意する</button>" not in page
    response = client.post(plan_url(a, "plan-agree"), {"version": "0"}, follow=True)
    assert "合意はその日から行えます。" in response.content.decode()
    assert a.plans.get().company_agreed_at is None
    # The day comes: the button is there and agreement goes through.
    Meeting.objects.filter(assessment=a, number=3).update(date=datetime.date.today())
    assert "この内容で合意する</button>" in client.get(plan_url(a)).content.decode()
    client.post(plan_url(a, "plan-agree"), {"version": "0"})
    assert a.plans.get().company_agreed_at is not None


def test_a_plan_without_a_third_meeting_says_where_to_record_it(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    client.force_login(expert[0])
    page = client.get(plan_url(a)).content.decode()
    assert "第3回の打合せ(③)の日付が記録されていません。" in page
    assert f'<a href="{plan_url(a, "meetings")}">打合せの記録を開く</a>' in page


def test_the_third_meeting_cannot_move_past_a_day_a_side_agreed(client, company_user, expert):
    a = make_assessment(company_user=company_user, expert=expert[1], stage="planning")
    hold_meetings(a)
    client.force_login(company_user)
    client.post(plan_url(a, "plan-agree"), {"version": "0"})
    meetings = list(a.meetings.all())
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    later = datetime.date.today() + datetime.timedelta(days=3)
    for i, m in enumerate(meetings):
        data[f"form-{i}-id"] = m.pk
        data[f"form-{i}-date"] = (later if m.number == 3 else m.date).isoformat()
    response = client.post(plan_url(a, "meetings"), data)
    today = datetime.date.today()
    assert f"③の日付は、すでに合意した日({today.year}年{today.month}月{today.day}日)より後にはできません。" in (
        response.content.decode()
    )
    assert a.meetings.get(number=3).date < later
