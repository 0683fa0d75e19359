"""Every URL of every app × every role, on the demo data.

Each URL states, for every role, what it answers: the page with the content
that role should see (a marker text), or the refusal (log in, second factor,
403 with a reason, 404, or 405 for a POST-only URL the role may use). A URL
added without an entry fails ``test_every_url_is_in_the_matrix``, and a view
that declares no access rule fails ``test_every_view_declares_who_may_use_it``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Assessment
from config.access import rule_of
from seminars.models import Survey
from supporters.referrals.models import Referral
from tests.factories import SupporterFactory, UserFactory, login_staff

pytestmark = pytest.mark.django_db

ROLES = [
    "anon",
    "company_a",  # a user of デモ製作所株式会社 (the assessment under test)
    "company_b",  # a user of another company
    "expert_x",  # the expert assigned to that assessment, and the referred expert
    "expert_y",  # an expert not assigned to it
    "org_member",  # a member of the デモ商工会議所 (the case under test)
    "org_other",  # a member of another organisation
    "staff",  # IPA staff who passed the second factor
    "staff_no2fa",  # the same staff account with its password alone
]
SIGNED_IN = [r for r in ROLES if r != "anon"]


@dataclass(frozen=True)
class Answer:
    status: int
    see: str = ""  # text the page must show (for 200)
    hide: str = ""  # text it must not show
    to: str = ""  # start of the redirect target (for 302)


def OK(see: str, hide: str = "") -> Answer:
    return Answer(200, see=see, hide=hide)


LOGIN = Answer(302, to="/accounts/login/")
SECOND_FACTOR = Answer(302, to="/accounts/two-factor/verify/")
FORBIDDEN = Answer(403, see="利用できません")
NOT_FOUND = Answer(404)
POST_ONLY = Answer(405)
REDIRECT = Answer(302)  # somewhere of the role's own


def everyone(answer: Answer) -> dict[str, Answer]:
    return dict.fromkeys(ROLES, answer)


def page(ok: dict[str, Answer], *, others: Answer, anon: Answer = LOGIN) -> dict[str, Answer]:
    """``ok`` roles as given; staff without the second factor asked for it where staff may go; the rest ``others``."""
    answers = dict.fromkeys(SIGNED_IN, others)
    answers["anon"] = anon
    if "staff" in ok:
        answers["staff_no2fa"] = SECOND_FACTOR
    answers.update(ok)
    return answers


def staff_page(see: str) -> dict[str, Answer]:
    return page({"staff": OK(see)}, others=FORBIDDEN)


def staff_object(see: str) -> dict[str, Answer]:
    return page({"staff": OK(see)}, others=FORBIDDEN)


COMPANY = "デモ製作所株式会社"
CASE = "株式会社デモ精機"
ASSESSMENT_READERS = {"company_a", "expert_x", "staff"}
ASSESSMENT_PARTICIPANTS = {"company_a", "expert_x"}


def assessment_page(see: str, *, readers=ASSESSMENT_READERS) -> dict[str, Answer]:
    return page({role: OK(see) for role in readers}, others=NOT_FOUND)


def assessment_action(*, by=ASSESSMENT_PARTICIPANTS) -> dict[str, Answer]:
    return page(dict.fromkeys(by, POST_ONLY), others=NOT_FOUND)


def case_page(see: str) -> dict[str, Answer]:
    return page({"org_member": OK(see)}, others=NOT_FOUND)


CASE_ACTION = page({"org_member": POST_ONLY}, others=NOT_FOUND)
MEMBER_LIST_REFUSED = Answer(403, see="支援機関")

REVIEW_QUEUE = "/admin/supporters/supporter/review-queue/"

MATRIX: dict[str, dict[str, Answer]] = {
    "healthz": everyone(OK('"status": "ok"')),
    "robots": everyone(OK("Sitemap: http://testserver/sitemap.xml")),
    "favicon": everyone(Answer(301)),
    # After login each role lands on its own start page.
    "start": {
        "anon": LOGIN,
        "company_a": Answer(302, to="/assessments/"),
        "company_b": Answer(302, to="/assessments/"),
        "expert_x": Answer(302, to="/supporters/mine/"),
        "expert_y": Answer(302, to="/supporters/mine/"),
        "org_member": Answer(302, to="/referrals/cases/"),
        "org_other": Answer(302, to="/referrals/cases/"),
        "staff": Answer(302, to=REVIEW_QUEUE),
        "staff_no2fa": Answer(302, to=REVIEW_QUEUE),  # where the second factor is asked, then back
    },
    "login": everyone(OK("パスワード")),
    "logout": everyone(POST_ONLY),
    "signup": {**everyone(REDIRECT), "anon": OK("アカウント登録")},
    "verify": everyone(REDIRECT),  # an invalid link: a message on the sign-up page
    "two-factor-setup": {
        **page({role: OK("認証アプリ") for role in SIGNED_IN}, others=FORBIDDEN),
        "staff": REDIRECT,  # a device is confirmed: on to the verification step
        "staff_no2fa": REDIRECT,
    },
    "two-factor-verify": {
        **page(dict.fromkeys(SIGNED_IN, REDIRECT), others=FORBIDDEN),  # no device yet: set one up
        "staff": OK("確認コード"),
        "staff_no2fa": OK("確認コード"),
    },
    "password_change": page({role: OK("パスワードの変更") for role in SIGNED_IN}, others=FORBIDDEN),
    "password_change_done": page({role: OK("パスワード") for role in SIGNED_IN}, others=FORBIDDEN),
    "password_reset": everyone(OK("パスワード")),
    "password_reset_done": everyone(OK("パスワード")),
    "password_reset_confirm": everyone(OK("このリンクは無効")),
    "password_reset_complete": everyone(OK("パスワード")),
    "supporters:home": everyone(OK("専門家を探す")),
    "supporters:help": everyone(OK("近畿")),
    "supporters:for-experts": everyone(OK("掲載できる方")),
    "supporters:sitemap": everyone(OK("/supporters/000020/")),
    "supporters:report": everyone(OK("掲載内容の誤りを報告")),
    "supporters:list": everyone(OK("件")),
    "supporters:export-csv": everyone(OK("登録番号")),
    "supporters:export-json": everyone(OK('"results"')),
    "supporters:detail": everyone(OK("姓001 名001")),
    "supporters:guide": everyone(OK("会社はどの都道府県にありますか")),
    # Without the earlier answers: the first question, asked again with why.
    "supporters:guide-step": everyone(Answer(400)),
    "supporters:guide-urgent": everyone(OK("情報セキュリティ安心相談窓口")),
    "supporters:guide-result": everyone(Answer(400)),
    "supporters:stats": everyone(OK("数字で見る支援者リスト")),
    "supporters:stats-csv": everyone(OK("集計日時")),
    "supporters:contact": everyone(POST_ONLY),
    # Anyone signed in may apply; an expert already listed is sent to マイページ.
    "supporters:apply": page(
        {r: REDIRECT if r.startswith("expert") else OK("登録を申請") for r in SIGNED_IN}, others=FORBIDDEN
    ),
    "supporters:mine": page({r: OK("マイページ") for r in SIGNED_IN}, others=FORBIDDEN),
    # demo-expert's change is under review: their edit page sends them back to マイページ.
    "supporters:edit": page({"expert_x": REDIRECT, "expert_y": OK("変更")}, others=Answer(403, see="登録を申請")),
    "supporters:confirm": page({"expert_x": POST_ONLY, "expert_y": POST_ONLY}, others=Answer(403, see="登録を申請")),
    "supporters:withdraw-change": page(
        {"expert_x": POST_ONLY, "expert_y": POST_ONLY}, others=Answer(403, see="登録を申請")
    ),
    "supporters:end": page(
        {"expert_x": OK("掲載の終了"), "expert_y": OK("掲載の終了")}, others=Answer(403, see="登録を申請")
    ),
    # Claiming an imported entry: any account without an entry asks; experts already have theirs.
    "supporters:claim-request": page(
        {r: REDIRECT if r.startswith("expert") else OK("掲載中の登録をアカウントに連携する") for r in SIGNED_IN},
        others=FORBIDDEN,
    ),
    "supporters:claim": everyone(NOT_FOUND),  # an invalid token: the mailed link is the permission
    "assessments:list": page(
        {
            "company_a": OK(COMPANY),
            "company_b": OK("アセスメント", hide=COMPANY),
            "expert_x": OK(COMPANY),
            "expert_y": OK("アセスメント", hide=COMPANY),
            "org_member": OK("アセスメント", hide=COMPANY),
            "org_other": OK("アセスメント", hide=COMPANY),
            "staff": OK(COMPANY),
            "staff_no2fa": OK("アセスメント", hide=COMPANY),  # staff's list of all needs the second factor
        },
        others=FORBIDDEN,
    ),
    "assessments:start": page({r: OK("自社のアセスメントを始める") for r in SIGNED_IN}, others=FORBIDDEN),
    "assessments:start-as-expert": page(
        {"expert_x": OK("専門家としてアセスメントを始める"), "expert_y": OK("専門家としてアセスメントを始める")},
        others=Answer(403, see="掲載中の専門家"),
    ),
    "assessments:accept-invitation": page({"expert_x": POST_ONLY, "expert_y": POST_ONLY}, others=NOT_FOUND),
    "assessments:decline-invitation": page({"expert_x": POST_ONLY, "expert_y": POST_ONLY}, others=NOT_FOUND),
    "assessments:invitation": everyone(NOT_FOUND),  # an invalid link never opens anything
    "assessments:join-company": everyone(NOT_FOUND),
    "assessments:company-members": page({"company_a": OK("の利用者")}, others=NOT_FOUND),
    "assessments:remove-member": page({"company_a": POST_ONLY}, others=NOT_FOUND),
    "assessments:revoke-colleague-invitation": page({"company_a": POST_ONLY}, others=NOT_FOUND),
    "assessments:detail": assessment_page(COMPANY),
    "assessments:meetings": page({"company_a": OK("打合せの記録"), "expert_x": OK("打合せの記録")}, others=NOT_FOUND),
    "assessments:invite": page({"company_a": REDIRECT, "expert_x": REDIRECT}, others=NOT_FOUND),  # both have joined
    "assessments:revoke-invitation": assessment_action(),
    "assessments:submit-self-check": assessment_action(),
    "assessments:submit-review": assessment_action(),
    "assessments:sheet": assessment_page("アセスメントシート"),
    "assessments:sheet-edit": page(
        {"company_a": OK("シートを記入する"), "expert_x": OK("シートを記入する")}, others=NOT_FOUND
    ),
    "assessments:sheet-history": assessment_page("保存履歴"),
    "assessments:sheet-revision": assessment_page("第"),
    "assessments:sheet-xlsx": assessment_page(""),
    "assessments:summary": assessment_page("集計"),
    "assessments:plan": assessment_page("改善計画書"),
    "assessments:plan-edit": page({"company_a": NOT_FOUND, "expert_x": NOT_FOUND}, others=NOT_FOUND),
    "assessments:plan-agree": assessment_action(),
    "assessments:plan-revise": assessment_action(),
    "assessments:plan-revision": assessment_page("改善計画書"),
    "assessments:plan-xlsx": page(dict.fromkeys(ASSESSMENT_READERS, NOT_FOUND), others=NOT_FOUND),
    "assessments:plan-revision-xlsx": page(dict.fromkeys(ASSESSMENT_READERS, NOT_FOUND), others=NOT_FOUND),
    "seminars:list": everyone(OK("セミナー")),
    "seminars:faq": everyone(OK("よくある質問")),
    "seminars:report": staff_page("実施報告"),
    "seminars:follow-up": staff_page("登録フォローアップ"),
    "seminars:follow-up-send": staff_page("リマインドメールの送信"),
    "seminars:survey-send": staff_object("アンケート依頼メールの送信"),
    "seminars:registrations": staff_page("支援者リスト新規登録件数推移"),
    "seminars:survey-results": staff_object("アンケート結果"),
    "seminars:survey-csv": staff_object("回答番号"),
    "seminars:attendance-import": staff_object("出席者の取込"),
    "seminars:application": everyone(NOT_FOUND),  # invalid token
    "seminars:survey-personal": everyone(NOT_FOUND),
    "seminars:survey-anonymous": everyone(NOT_FOUND),
    "seminars:detail": everyone(OK("令和8年度 第1回")),
    "seminars:apply": everyone(OK("申込")),
    "seminars:applied": everyone(NOT_FOUND),  # nothing applied in this session
    "seminars:confirm-sent": everyone(NOT_FOUND),  # no confirmation mail sent in this session
    "seminars:confirm": everyone(NOT_FOUND),  # invalid token
    "seminars:ics": everyone(OK("BEGIN:VCALENDAR")),
    "seminars:material": everyone(NOT_FOUND),  # no such material
    # The menu offers it to every account: members, experts and staff go on to their page,
    # anyone else learns what referrals are and how to get one.
    "referrals:home": page(
        {"expert_x": REDIRECT, "expert_y": REDIRECT, "org_member": REDIRECT, "org_other": REDIRECT, "staff": REDIRECT},
        others=OK("支援機関からの紹介"),
    )
    | {"staff_no2fa": REDIRECT},
    "referrals:case-list": page(
        {"org_member": OK(CASE), "org_other": OK("紹介案件", hide=CASE)}, others=MEMBER_LIST_REFUSED
    ),
    "referrals:case-create": page(
        {"org_member": OK("新しい相談案件"), "org_other": OK("新しい相談案件")}, others=MEMBER_LIST_REFUSED
    ),
    "referrals:case-detail": case_page(CASE),
    "referrals:case-edit": case_page(CASE),
    "referrals:case-status": CASE_ACTION,
    "referrals:shortlist": case_page("候補を探す"),
    "referrals:shortlist-add": CASE_ACTION,
    "referrals:entry-move": CASE_ACTION,
    "referrals:entry-remove": CASE_ACTION,
    "referrals:entry-reason": case_page("選定理由"),
    "referrals:entry-refer": case_page("紹介を送る前に確認してください"),
    "referrals:sheet": case_page("紹介票"),
    "referrals:case-referral": case_page("への紹介"),
    "referrals:inbox": page(
        {"expert_x": OK("デモ商工会議所"), "expert_y": OK("紹介された相談", hide="デモ商工会議所")},
        others=Answer(403, see="掲載されている専門家"),
    ),
    "referrals:inbox-detail": page({"expert_x": OK("デモ商工会議所からの紹介")}, others=NOT_FOUND),
    "referrals:answer": everyone(NOT_FOUND),  # an invalid token: the mailed link is the permission
    "referrals:flow": staff_page("案件発生状況"),
    "referrals:flow-csv": staff_page("区分"),
}


def all_url_routes() -> dict[str, tuple[str, object]]:
    """URL name → (route, view), for every named URL outside the admin."""

    def walk(patterns, namespace=None, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # below: test_the_admin_is_for_staff_with_the_second_factor
                yield from walk(pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, (prefix + str(pattern.pattern), pattern.callback)

    return dict(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    routes = all_url_routes()
    assert routes.keys() - MATRIX.keys() == set(), "URLs missing from the matrix"
    assert MATRIX.keys() - routes.keys() == set(), "matrix entries for URLs that no longer exist"
    for name, answers in MATRIX.items():
        assert set(answers) == set(ROLES), name


def test_every_view_declares_who_may_use_it():
    undeclared = sorted(name for name, (_, view) in all_url_routes().items() if rule_of(view) is None)
    assert undeclared == [], f"views that declare no access rule: {undeclared}"


def test_an_undeclared_view_is_refused(client, settings):
    settings.ROOT_URLCONF = "tests.security.undeclared_urls"
    response = client.get("/undeclared/")
    assert response.status_code == 403
    assert "利用条件が設定されていない" in response.content.decode()


@pytest.fixture
def world():
    call_command("load_demo", stdout=io.StringIO())
    a = Assessment.objects.get(company__members__username="demo-company@example.jp")
    referral = (
        Referral.objects.filter(supporter__user__username="demo-expert@example.jp", case__company_name=CASE)
        .select_related("case")
        .first()
    )
    entry = referral.case.shortlist.first()
    survey = Survey.objects.first()
    expert_y = UserFactory(email="expert-y@example.jp")
    SupporterFactory(user=expert_y)
    revision = a.sheet_revisions.first() or a.sheet_revisions.create(side="company", version=1, data={})
    args = {
        "verify": ["invalid-token"],
        "password_reset_confirm": ["MQ", "set-password"],
        "supporters:detail": ["000020"],
        "supporters:guide-step": ["industry"],
        "supporters:contact": ["000020"],
        "supporters:report": ["000020"],
        "assessments:accept-invitation": [999999],
        "assessments:decline-invitation": [999999],
        "assessments:invitation": ["not-a-token"],
        "assessments:revoke-invitation": [a.pk, 999999],
        "assessments:company-members": [a.company.pk],
        "assessments:remove-member": [a.company.pk, a.company.members.first().pk],
        "assessments:revoke-colleague-invitation": [a.company.pk, 999999],
        "assessments:join-company": ["not-a-token"],
        "assessments:sheet-revision": [a.pk, revision.pk],
        "assessments:plan-revision": [a.pk, 1],
        "assessments:plan-revision-xlsx": [a.pk, 1],
        "seminars:survey-results": [survey.pk],
        "seminars:survey-csv": [survey.pk],
        "seminars:survey-send": [survey.pk],
        "seminars:attendance-import": ["seminar-2025-1"],
        "seminars:application": ["bad-token"],
        "seminars:survey-personal": ["bad-token"],
        "seminars:survey-anonymous": ["00000000-0000-0000-0000-000000000000"],
        "seminars:detail": ["seminar-next"],
        "seminars:apply": ["seminar-next"],
        "seminars:applied": ["seminar-next"],
        "seminars:confirm-sent": ["workshop-next-fukuoka"],
        "seminars:confirm": ["not-a-token"],
        "seminars:ics": ["seminar-next"],
        "seminars:material": ["seminar-next", 999999],
        "referrals:case-referral": [referral.case.pk, referral.pk],
        "referrals:inbox-detail": [referral.pk],
        "supporters:claim": ["not-a-token"],
        "referrals:answer": ["not-a-token"],
    }
    for name, (route, _) in all_url_routes().items():
        if name in args or "<int:pk>" not in route:
            continue
        if name.startswith("assessments:"):
            args[name] = [a.pk]
        elif name.startswith("referrals:"):
            args[name] = [referral.case.pk] + ([entry.pk] if "entry_pk" in route else [])
    users = {
        "company_a": "demo-company@example.jp",
        "company_b": "demo-company2@example.jp",
        "expert_x": "demo-expert@example.jp",
        "expert_y": "expert-y@example.jp",
        "org_member": "demo-chamber@example.jp",
        "org_other": "demo-secunity@example.jp",
        "staff": "demo-staff@example.jp",
        "staff_no2fa": "demo-staff@example.jp",
    }
    return args, users


def log_in(client, role, users):
    client.logout()
    if role == "anon":
        return
    user = get_user_model().objects.get(username=users[role])
    if role == "staff":
        login_staff(client, user)
    else:
        client.force_login(user)


def check(response, expected: Answer) -> str | None:
    """What is wrong with ``response``, or None."""
    status = response.status_code
    if status != expected.status:
        return f"{status}, expected {expected.status}"
    if status == 302 and not response["Location"].startswith(expected.to):
        return f"redirected to {response['Location']}, expected {expected.to}…"
    if status in (200, 403):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode("utf-8-sig", errors="replace")
        if expected.see and expected.see not in body:
            return f"does not show {expected.see!r}"
        if expected.hide and expected.hide in body:
            return f"shows {expected.hide!r}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_access_rules_say(client, world, role):
    args, users = world
    log_in(client, role, users)
    problems = []
    for name, answers in MATRIX.items():
        url = reverse(name, args=args.get(name, []))
        problem = check(client.get(url), answers[role])
        if problem:
            problems.append(f"{role} {url}: {problem}")
    assert problems == [], "\n".join(problems)


def test_personal_pages_and_files_are_never_stored_by_caches(client, world):
    """Pages with personal or confidential content, and their files: ``private, no-store``."""
    args, users = world
    checked = 0
    for role in ["company_a", "expert_x", "org_member", "staff"]:
        log_in(client, role, users)
        for name, answers in MATRIX.items():
            if answers[role].status != 200 or answers["anon"].status == 200:
                continue  # only what this role may see and the public may not
            response = client.get(reverse(name, args=args.get(name, [])))
            directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
            assert {"private", "no-store"} <= directives, f"{role} {name}: {response.get('Cache-Control')}"
            checked += 1
    assert checked > 40


def test_the_admin_is_for_staff_with_the_second_factor(client, world):
    """Every model the admin lists: staff with the second factor only."""
    from django.contrib import admin

    _, users = world
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    for role in ROLES:
        log_in(client, role, users)
        for url in [reverse("admin:index"), *changelists]:
            response = client.get(url)
            if role == "staff":
                # Staff hold the permissions their work needs (config/roles.py), not every model's.
                assert response.status_code in (200, 403), (role, url, response.status_code)
            else:
                assert response.status_code in (302, 403), (role, url, response.status_code)
                if response.status_code == 302:
                    assert "/login/" in response["Location"] or "two-factor" in response["Location"], (role, url)
    log_in(client, "staff", users)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:supporters_supporter_changelist")).status_code == 200
