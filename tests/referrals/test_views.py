"""The referral workflow through HTTP, as members, experts and staff see it."""

import io

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from supporters.referrals.models import Case, Membership, Referral
from tests.downloads import csv_rows, text
from tests.factories import SupporterFactory, UserFactory, login_staff
from tests.mailbox import sent

from .factories import CaseFactory, ExpertFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate().isoformat()


def test_create_case_with_errors_then_valid(client, world, login):
    login(world.member_a)
    url = reverse("referrals:case-create")
    response = client.post(url, {"company_name": "", "prefecture": "atlantis", "employees": "-3"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_company_name"' in body and "企業名: 企業名を入力してください。" in body
    assert "所在地(都道府県)" in body and "業種: 業種を選んでください。" in body
    assert Case.objects.count() == 1
    response = client.post(
        url,
        {
            "company_name": "<b>新規</b>株式会社",
            "prefecture": "osaka",
            "industry": "retail",
            "themes": ["cloud"],
            "budget": "under-10k",
        },
    )
    case = Case.objects.get(company_name="<b>新規</b>株式会社")
    assert response["Location"] == case.get_absolute_url()
    assert case.organisation == world.org_a and case.created_by == world.member_a
    page = client.get(case.get_absolute_url()).content.decode()
    assert "&lt;b&gt;新規&lt;/b&gt;株式会社" in page and "<b>新規" not in page


def test_case_list_shows_only_own_cases_in_constant_queries(client, world, login, django_assert_max_num_queries):
    CaseFactory(organisation=world.org_b, company_name="B社の案件")
    login(world.member_a)
    url = reverse("referrals:case-list")
    # Constant: the menu's roles (config/navigation.py) and each case's referrals, one query each.
    with django_assert_max_num_queries(8):
        first = client.get(url)
    for _ in range(15):
        case = CaseFactory(organisation=world.org_a)
        case.add_candidate(SupporterFactory())
        Referral.objects.start(case=case, supporter=ExpertFactory(user=UserFactory()), actor=world.member_a)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    body = response.content.decode()
    assert "株式会社ひみつ商事" in first.content.decode()
    assert "B社の案件" not in body and body.count("<tr>") == 17  # header + 16 cases
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "株式会社ひみつ商事" not in closed


def test_shortlist_page_prefills_from_the_case_and_adds(client, world, login, django_assert_max_num_queries):
    case = CaseFactory(
        organisation=world.org_a,
        prefecture="osaka",
        industry="finance",
        themes=["cloud"],
        forms=[],
        periods=[],
        budget="",
    )
    fit = SupporterFactory(name="近畿 金融", regions=["kinki"], industries=["finance"], themes=["cloud"])
    SupporterFactory(name="関東 金融", regions=["kanto"], industries=["finance"], themes=["cloud"])
    SupporterFactory(name="近畿 非掲載", status="pending", regions=["kinki"], industries=["finance"], themes=["cloud"])
    login(world.member_a)
    url = reverse("referrals:shortlist", args=[case.pk])
    with django_assert_max_num_queries(10):
        body = client.get(url).content.decode()
    assert "近畿 金融" in body and "関東 金融" not in body and "近畿 非掲載" not in body
    assert 'value="kinki" id="id_region_5" checked' in body and 'value="finance" id="id_industry_10" checked' in body
    # Every visitor filter wins over the case's needs; invalid ones are explained.
    assert "関東 金融" in client.get(url, {"filtered": "1", "region": "kanto"}).content.decode()
    bad = client.get(url, {"filtered": "1", "region": "atlantis"})
    assert bad.status_code == 400 and "「atlantis」は選択できない値です。" in bad.content.decode()
    response = client.post(
        reverse("referrals:shortlist-add", args=[case.pk]), {"supporter": fit.pk, "query": "filtered=1&region=kinki"}
    )
    assert response["Location"] == url + "?filtered=1&region=kinki"
    assert list(case.shortlist.values_list("supporter__name", "position")) == [("近畿 金融", 1)]
    for junk in ["abc", "", "99999999", str(SupporterFactory(status="ended").pk)]:
        client.post(reverse("referrals:shortlist-add", args=[case.pk]), {"supporter": junk})
    assert case.shortlist.count() == 1
    for _ in range(30):
        SupporterFactory(regions=["kinki"], industries=["finance"], themes=["cloud"])
    with django_assert_max_num_queries(10):
        body = client.get(url).content.decode()
    assert "追加済み" in body and "候補に追加" in body


def test_reorder_and_remove_by_buttons(client, world, login):
    a, b = ExpertFactory(name="二番 手"), ExpertFactory(name="三番 手")
    world.case.add_candidate(a)
    world.case.add_candidate(b)
    login(world.member_a)
    client.post(
        reverse("referrals:entry-move", args=[world.case.pk, world.case.shortlist.get(supporter=b).pk]),
        {"direction": "up"},
    )
    assert [e.supporter for e in world.case.shortlist.all()] == [world.expert, b, a]
    client.post(reverse("referrals:entry-remove", args=[world.case.pk, world.entry.pk]))
    assert [(e.supporter, e.position) for e in world.case.shortlist.all()] == [(b, 1), (a, 2)]
    body = client.get(world.case.get_absolute_url()).content.decode()
    assert body.index("三番 手") < body.index("二番 手") and "第2希望" in body


def test_reason_is_validated_and_printed(client, world, login):
    login(world.member_a)
    url = reverse("referrals:entry-reason", args=[world.case.pk, world.entry.pk])
    response = client.post(url, {"reason": "x" * 301})
    assert response.status_code == 400 and "選定理由(紹介票に載ります)" in response.content.decode()
    client.post(url, {"reason": "同じ業種の支援実績が多い"})
    sheet = client.get(reverse("referrals:sheet", args=[world.case.pk])).content.decode()
    assert "同じ業種の支援実績が多い" in sheet


def test_sheet_shows_published_details_and_contact_only(client, world, login):
    hidden = ExpertFactory(
        name="非公開 メール",
        email="hidden@example.jp",
        hidden_fields=["email", "organization"],
        organization="秘密の勤務先",
    )
    ended = ExpertFactory(name="掲載 終了")
    world.case.add_candidate(hidden)
    world.case.add_candidate(ended)
    ended.status = "ended"
    ended.save()
    login(world.member_a)
    body = client.get(reverse("referrals:sheet", args=[world.case.pk])).content.decode()
    assert "第1希望 紹介 先生" in body and "第2希望 非公開 メール" in body
    assert f"メール: {world.expert.email}" in body
    assert "hidden@example.jp" not in body and "秘密の勤務先" not in body
    assert f"http://testserver{hidden.get_absolute_url()}" in body
    assert "掲載 終了" not in body and "掲載が終了した候補 1名" in body
    assert world.org_a.contact_email in body and "株式会社ひみつ商事 様" in body


def test_refer_emails_the_expert_without_company_details(client, world, login):
    expert = ExpertFactory(name="新しい 先生", user=UserFactory(email="new-expert@example.jp"))
    entry = world.case.add_candidate(expert)
    login(world.member_a)
    url = reverse("referrals:entry-refer", args=[world.case.pk, entry.pk])
    # The link asks first: what will reach the expert, and how. Nothing is sent yet.
    page = client.get(url).content.decode()
    assert "紹介を送る前に確認してください" in page and "新しい 先生さんに紹介を送る</button>" in page
    assert "サイトの「紹介された相談」とメールで届きます。" in page
    assert "株式会社ひみつ商事" not in page.split("専門家に伝わる内容")[1]  # the company's name waits for acceptance
    assert not Referral.objects.filter(supporter=expert).exists() and not sent()
    response = client.post(url, follow=True)
    assert "新しい 先生さんに紹介を送りました。専門家が受諾すると、企業名と連絡先が専門家に表示されます。" in (
        response.content.decode()
    )
    referral = Referral.objects.get(supporter=expert)
    assert referral.status == "referred" and referral.referred_by == world.member_a
    (message,) = sent()
    assert message.to == ["new-expert@example.jp"]
    assert "A商工会議所" in message.subject
    assert "ひみつ" not in message.body and "himitsu" not in message.body and "03-1111-2222" not in message.body
    assert "http://testserver/referrals/inbox/" in message.body and "規程整備" in message.body
    # A second referral to the same expert, or to one without an account, is refused.
    assert "この案件をすでに紹介しています" in client.get(url).content.decode()
    client.post(url)
    orphan = world.case.add_candidate(SupporterFactory(name="アカウント なし", email="", contact_email=""))
    orphan_url = reverse("referrals:entry-refer", args=[world.case.pk, orphan.pk])
    page = client.get(orphan_url).content.decode()
    assert "アカウントも連絡先のメールアドレスもお持ちでないため、サイトからは届きません" in page
    assert "紹介を送る</button>" not in page
    response = client.post(orphan_url, follow=True)
    assert "アカウント なしさんには紹介を送れません。" in response.content.decode()
    assert Referral.objects.count() == 2 and len(sent()) == 1


def test_the_shortlist_says_how_each_expert_would_receive_a_referral(client, world, login):
    with_account = world.case.add_candidate(ExpertFactory(name="アカウント あり", user=UserFactory()))
    without = world.case.add_candidate(SupporterFactory(name="アカウント なし", email="", contact_email=""))
    world.case.add_candidate(SupporterFactory(name="メール のみ", contact_email="mail-only@example.jp"))
    login(world.member_a)
    page = client.get(world.case.get_absolute_url()).content.decode()
    rows = {name: page.split(f">{name}</a>")[1].split("</li>")[0] for name in ("アカウント あり", "アカウント なし")}
    assert "サイトの「紹介された相談」とメールで届きます。" in rows["アカウント あり"]
    assert reverse("referrals:entry-refer", args=[world.case.pk, with_account.pk]) in rows["アカウント あり"]
    assert "サイトからは届きません" in rows["アカウント なし"] and "サイトからは送れません" in rows["アカウント なし"]
    assert reverse("referrals:entry-refer", args=[world.case.pk, without.pk]) not in page
    mailed = page.split(">メール のみ</a>")[1].split("</li>")[0]
    assert "登録の連絡先メールアドレス(非公開)にメールで届きます" in mailed and "紹介する" in mailed
    assert "mail-only@example.jp" not in page
    search = client.get(reverse("referrals:shortlist", args=[world.case.pk]) + "?filtered=1").content.decode()
    assert "サイトとメールで届きます" in search and "サイトからは届きません(連絡先なし)" in search
    assert "メールで届きます(アカウントなし)" in search


def test_the_case_list_shows_each_referrals_state_and_what_to_do_next(client, world, login):
    referral = world.referral
    login(world.member_a)
    page = client.get(reverse("referrals:case-list")).content.decode()
    row = page.split("株式会社ひみつ商事")[1].split("</tr>")[0]
    assert f'<span class="badge">紹介済</span> {referral.supporter.name}さん' in row
    assert "専門家の回答を待っています。" in row
    referral.move("accepted", actor=world.expert.user, role="expert")
    referral.move("met", actor=world.member_a, role="organisation")
    row = client.get(reverse("referrals:case-list")).content.decode().split("株式会社ひみつ商事")[1].split("</tr>")[0]
    assert '<span class="badge">面談済</span>' in row and "支援が始まったら「支援開始」を記録します。" in row


def test_expert_sees_company_only_after_accepting(client, world, login):
    login(world.expert.user)
    url = reverse("referrals:inbox-detail", args=[world.referral.pk])
    body = client.get(url).content.decode()
    assert "ひみつ" not in body and "himitsu" not in body and "30名" not in body
    assert "A商工会議所" in body and "受諾する" in body and "面談済にする" not in body
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert "ひみつ" not in inbox and "受諾後に表示" in inbox
    response = client.post(url, {"to": "accepted", "on": _today()})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "株式会社ひみつ商事" in body and "himitsu@company.example.jp" in body
    assert "面談済にする" in body and "不成立にする" in body
    (message,) = sent()
    assert message.to == [world.org_a.contact_email] and "受諾" in message.subject


def test_decline_with_optional_reason_and_illegal_moves(client, world, login):
    login(world.expert.user)
    url = reverse("referrals:inbox-detail", args=[world.referral.pk])
    assert client.post(url, {"to": "started", "on": _today()}).status_code == 400
    response = client.post(url, {"to": "accepted", "on": "2999-01-01"})
    assert response.status_code == 400 and "未来の日付は指定できません。" in response.content.decode()
    client.post(url, {"to": "declined", "on": _today(), "reason": ""})
    world.referral.refresh_from_db()
    assert world.referral.status == "declined" and not world.referral.company_visible
    assert "ひみつ" not in client.get(url).content.decode()


def test_both_sides_move_it_forward_and_failure_needs_reason(client, world, login):
    login(world.expert.user)
    expert_url = reverse("referrals:inbox-detail", args=[world.referral.pk])
    client.post(expert_url, {"to": "accepted", "on": _today()})
    client.logout()
    login(world.member_a)
    org_url = reverse("referrals:case-referral", args=[world.case.pk, world.referral.pk])
    client.post(org_url, {"to": "met", "on": _today()})
    response = client.post(org_url, {"to": "failed", "on": _today(), "reason": " "})
    assert response.status_code == 400 and "不成立の場合は理由を入力してください。" in response.content.decode()
    client.logout()
    login(world.expert.user)
    client.post(expert_url, {"to": "started", "on": _today()})
    world.referral.refresh_from_db()
    assert world.referral.status == "started"
    history = client.get(expert_url).content.decode()
    assert history.count("<tr>") >= 5 and "面談済 → 支援開始" in history


def test_inbox_counts_and_panel_tag(client, world, login):
    ReferralFactory(supporter=world.expert, status="completed")
    ReferralFactory(supporter=world.other_expert, status="completed")
    login(world.expert.user)
    body = client.get(reverse("referrals:inbox")).content.decode()
    assert "あなたへの紹介の状況" in body and body.count('class="num">1件') == 2
    html = Template("{% load referrals_tags %}{% referrals_panel user %}").render(Context({"user": world.expert.user}))
    assert "回答を待っている紹介が1件" in html and 'href="/referrals/inbox/"' in html


def test_referrals_never_reach_public_pages(client, world):
    ReferralFactory(supporter=world.expert, status="started")
    for url in [world.expert.get_absolute_url(), "/supporters/", "/supporters/export.csv", "/supporters/export.json"]:
        response = client.get(url)
        page = text(response)
        assert "紹介済" not in page and "支援開始" not in page and "ひみつ" not in page, url


def test_flow_page_counts_and_csv(client, world, login, django_assert_max_num_queries):
    CaseFactory(organisation=world.org_b, prefecture="osaka", industry="finance", themes=["cloud", "policy"])
    ReferralFactory(supporter=world.other_expert, status="failed")
    login_staff(client, world.staff)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("referrals:flow")).content.decode()
    assert body.count('role="img"') == 5 and "<title" in body
    assert "ひみつ" not in body
    for _ in range(10):
        ReferralFactory(case=CaseFactory(prefecture="hokkaido"))
    with django_assert_max_num_queries(12):
        client.get(reverse("referrals:flow"))
    response = client.get(reverse("referrals:flow-csv"))
    rows = csv_rows(response)
    assert rows[0] == ["区分", "項目", "件数"]
    data = {(r[0], r[1]): int(r[2]) for r in rows[1:]}
    assert data[("地域", "近畿")] == 1 and data[("地域", "北海道")] == 10 and data[("地域", "関東")] >= 1
    assert data[("指導テーマ", "規程整備")] == 13 and data[("指導テーマ", "クラウドセキュリティ対策")] == 1
    assert data[("状況", "不成立")] == 1 and data[("状況", "紹介済")] == 11
    assert data[("専門家別", f"{world.other_expert.registration_no} 別の 先生(不成立)")] == 1


def test_closed_case_cannot_refer(client, world, login):
    login(world.member_a)
    client.post(reverse("referrals:case-status", args=[world.case.pk]), {"action": "close"})
    other = world.case.add_candidate(ExpertFactory())
    response = client.post(reverse("referrals:entry-refer", args=[world.case.pk, other.pk]), follow=True)
    assert "終了した案件からは紹介できません" in response.content.decode()
    client.post(reverse("referrals:case-status", args=[world.case.pk]), {"action": "reopen"})
    world.case.refresh_from_db()
    assert world.case.status == "referred"


def test_member_of_two_orgs_is_impossible(world):
    from django.db import IntegrityError

    from .factories import MembershipFactory

    with pytest.raises(IntegrityError):
        MembershipFactory(user=world.member_a, organisation=world.org_b)


def test_demo_story(django_user_model):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    membership = Membership.objects.select_related("user", "organisation").get(user__username="demo-chamber@example.jp")
    assert membership.organisation.get_kind_display() == "商工会議所・商工会"
    cases = Case.objects.filter(organisation=membership.organisation)
    assert {c.status for c in cases} == {"open", "referred", "closed"}
    expert = django_user_model.objects.get(username="demo-expert@example.jp")
    statuses = set(Referral.objects.for_expert(expert).values_list("status", flat=True))
    assert {"referred", "started", "completed"} <= statuses


def test_shortlist_shows_the_organisations_own_track_record(client, world, login):
    Referral.objects.filter(pk=world.referral.pk).update(status="started")
    ReferralFactory(supporter=world.expert, case=CaseFactory(organisation=world.org_b), status="completed")
    login(world.member_a)
    case = CaseFactory(organisation=world.org_a)
    body = client.get(reverse("referrals:shortlist", args=[case.pk]), {"filtered": "1"}).content.decode()
    assert "紹介1件(うち支援開始1件)" in body
    client.logout()
    login(world.member_b)
    case_b = CaseFactory(organisation=world.org_b)
    body = client.get(reverse("referrals:shortlist", args=[case_b.pk]), {"filtered": "1"}).content.decode()
    assert "紹介1件(うち支援開始1件)" in body  # B's own completed referral, not A's
    ReferralFactory(supporter=world.expert, case=CaseFactory(organisation=world.org_b), status="declined")
    body = client.get(reverse("referrals:shortlist", args=[case_b.pk]), {"filtered": "1"}).content.decode()
    assert "紹介2件(うち支援開始1件)" in body


def test_expert_sees_referrals_panel_on_their_page(world, login):
    body = login(world.expert.user).get("/supporters/mine/").content.decode()
    assert "支援機関からの紹介" in body and "回答を待っている紹介が1件あります" in body
    assert 'href="/referrals/inbox/"' in body
