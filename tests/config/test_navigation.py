"""After login each role lands on its own start page, and the menu shows only
what that role can use (config/navigation.py; the apps register their part)."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from config.access import Role
from config.navigation import STAFF_ACCOUNT, MenuItem, held_roles, menu_for, register_menu_item, registry
from tests.factories import PASSWORD, UserFactory, login_staff

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "expert": "demo-expert@example.jp",
    "company": "demo-company@example.jp",
    "organisation": "demo-chamber@example.jp",
    "staff": "demo-staff@example.jp",
}
START = {
    "expert": "/supporters/mine/",
    "company": "/assessments/",
    "organisation": "/referrals/cases/",
    "staff": "/admin/supporters/supporter/review-queue/",
    "new": "/supporters/mine/",
}
# What each role's menu offers, and what it must not.
MENU = {
    "anon": (
        ["専門家を探す", "セミナー", "使い方", "数字で見る", "掲載を希望する方へ"],
        ["マイページ", "紹介案件", "審査待ち一覧", "管理画面"],
    ),
    "new": (
        ["専門家を探す", "掲載を希望する方へ", "マイページ", "アセスメント"],
        ["紹介案件", "審査待ち一覧", "管理画面"],
    ),
    "expert": (["マイページ", "紹介された相談", "アセスメント"], ["掲載を希望する方へ", "紹介案件", "審査待ち一覧"]),
    "company": (["アセスメント"], ["マイページ", "掲載を希望する方へ", "紹介案件", "紹介された相談", "審査待ち一覧"]),
    "organisation": (["紹介案件"], ["マイページ", "アセスメント", "紹介された相談", "審査待ち一覧"]),
    "staff": (
        ["審査待ち一覧", "紹介の状況", "セミナーの報告", "管理画面"],
        ["マイページ", "掲載を希望する方へ", "紹介案件"],
    ),
}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def _log_in(client, role):
    if role == "anon":
        return
    if role == "new":
        client.force_login(UserFactory(email="new@example.jp"))
    elif role == "staff":
        login_staff(client, get_user_model().objects.get(username=ACCOUNTS[role]))
    else:
        client.force_login(get_user_model().objects.get(username=ACCOUNTS[role]))


def _menu(body: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize("role", ["expert", "company", "organisation", "new"])
def test_login_lands_on_the_roles_start_page(client, demo, role):
    email = ACCOUNTS.get(role, "new@example.jp")
    if role == "new":
        UserFactory(email=email)
    password = PASSWORD if role == "new" else "demo-password"
    response = client.post(reverse("login"), {"username": email, "password": password})
    assert response["Location"] == reverse("start")
    assert client.get(reverse("start"))["Location"] == START[role]
    assert client.get(START[role]).status_code == 200


def test_staff_land_on_the_review_queue_after_the_second_factor(client, demo):
    staff = get_user_model().objects.get(username=ACCOUNTS["staff"])
    client.force_login(staff)
    assert client.get(reverse("start"))["Location"] == START["staff"]
    # Password only: the queue asks for the second factor, then comes back.
    asked = client.get(START["staff"], follow=True)
    assert (
        asked.redirect_chain[-1][0]
        == "/accounts/two-factor/verify/?next=%2Fadmin%2Fsupporters%2Fsupporter%2Freview-queue%2F"
    )
    login_staff(client, staff)
    page = client.get(START["staff"])
    assert page.status_code == 200 and "審査待ち" in page.content.decode()


@pytest.mark.parametrize("role", list(MENU))
def test_the_menu_shows_only_what_the_role_can_use(client, demo, role):
    _log_in(client, role)
    shown = _menu(client.get("/help/").content.decode())
    offered, hidden = MENU[role]
    assert set(offered) <= set(shown), shown
    assert not set(hidden) & set(shown), shown


@pytest.mark.parametrize("role", list(MENU))
def test_every_menu_link_works_for_the_role_that_sees_it(client, demo, role):
    _log_in(client, role)
    body = client.get("/help/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S).group(0)
    for url in re.findall(r'<a href="([^"]+)"', nav):
        response = client.get(url, follow=True)
        assert response.status_code == 200, (role, url)


def test_the_current_page_is_marked_in_the_menu(client, demo):
    body = client.get("/supporters/").content.decode()
    assert re.search(r'<a href="/supporters/" aria-current="page">専門家を探す</a>', body)
    body = client.get("/guide/").content.decode()
    assert re.search(r'<a href="/supporters/" aria-current="page">専門家を探す</a>', body)
    body = client.get("/stats/").content.decode()
    assert re.search(r'<a href="/stats/" aria-current="page">数字で見る</a>', body)


def test_the_roles_of_a_signed_in_user_take_one_query(django_assert_num_queries, demo):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=ACCOUNTS["expert"])
    with django_assert_num_queries(1):
        held = held_roles(request)
        held_roles(request)  # cached on the request
    assert Role.ENTRY_EXPERT in held and Role.COMPANY_MEMBER not in held


def test_anonymous_visitors_cost_no_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert [item["label"] for item in menu_for(request)][:3] == ["専門家を探す", "セミナー", "使い方"]


def test_a_staff_account_without_the_second_factor_is_told_apart(demo):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=ACCOUNTS["staff"])
    request.user.is_verified = lambda: False  # as django-otp's middleware says before the second factor
    assert STAFF_ACCOUNT in held_roles(request) and Role.STAFF not in held_roles(request)


def test_an_app_plugs_its_own_menu_item_in(monkeypatch):
    """The kernel knows no app: an app registers an item and who sees it."""
    from django.contrib.auth.models import AnonymousUser

    monkeypatch.setattr(registry, "menu", list(registry.menu))
    register_menu_item(MenuItem("ヘルスチェック", "healthz", 15, lambda held: Role.PUBLIC in held))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    labels = [item["label"] for item in menu_for(request)]
    assert labels.index("ヘルスチェック") == 1  # ordered between 専門家を探す (10) and セミナー (20)


def test_a_visitors_menu_is_drawn_once_per_view_and_a_signed_in_users_every_time(client, demo):
    from config import navigation

    navigation._anonymous_nav.cache_clear()
    nav = "_site_nav.html"
    first, again = client.get("/seminars/"), client.get("/seminars/")
    assert [t.name for t in first.templates].count(nav) == 1 and nav not in [t.name for t in again.templates]
    assert first.content == again.content
    assert re.search(r'<a href="/seminars/" aria-current="page">セミナー</a>', again.content.decode())
    login = client.get("/accounts/login/").content.decode()  # another view: its own menu
    assert re.search(r'<a href="/accounts/login/" aria-current="page">ログイン</a>', login)
    _log_in(client, "expert")
    for _ in range(2):
        response = client.get("/seminars/")
        assert nav in [t.name for t in response.templates]
        assert 'name="csrfmiddlewaretoken"' in response.content.decode() and "マイページ" in response.content.decode()
