"""Expert accounts: sign up, verify by link, log in, reset, log out."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from config.accounts import SALT, make_token
from tests.factories import PASSWORD, UserFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "kiwi-orange-2026!"


def signup(client, email="New.Expert@Example.jp", password=NEW_PASSWORD, password2=None):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password2 or password})


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)


def verify_path(message) -> str:
    return link_in(message).split("testserver")[-1]


def test_signup_creates_an_inactive_non_staff_account_and_mails_a_link(client):
    response = signup(client)
    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    user = User.objects.get(username="new.expert@example.jp")
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)
    assert user.email == "new.expert@example.jp"
    assert sent()[0].to == ["new.expert@example.jp"]
    # Not usable before the link is followed.
    assert not client.login(username="new.expert@example.jp", password=NEW_PASSWORD)

    # Opening the link (as a mail scanner would) changes nothing; the password opens the account.
    page = client.get(verify_path(sent()[0]))
    assert "アカウントを有効にする" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(verify_path(sent()[0]), {"password": NEW_PASSWORD}, follow=True)
    assert "メールアドレスを確認し、アカウントを有効にしました" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and response.context["user"] == user
    client.logout()
    response = client.post("/accounts/login/", {"username": "NEW.expert@example.jp", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_wrong_password_on_the_link_page_activates_nothing(client):
    signup(client)
    response = client.post(verify_path(sent()[0]), {"password": "not-the-password"})
    assert response.status_code == 400
    assert "パスワードが登録のときのものと違います" in response.content.decode()
    assert not User.objects.get(username="new.expert@example.jp").is_active


def test_an_earlier_unverified_signup_never_keeps_the_account(client, django_user_model):
    """Someone signs up first with the owner's address and their own password; the owner then signs up."""
    from django.test import Client

    squatter = Client()
    signup(squatter, email="owner@example.jp", password="squatter-pass-2026!")
    account = User.objects.get(username="owner@example.jp")
    squatter.force_login(account)  # whatever session the earlier sign-up might hold …
    User.objects.filter(pk=account.pk).update(last_login=None)  # … still never used
    signup(client, email="owner@example.jp", password=NEW_PASSWORD)
    assert User.objects.filter(username="owner@example.jp").count() == 1

    # The squatter's own password no longer opens the account, even with the owner's link.
    owners_link = verify_path(sent()[-1])
    assert squatter.post(owners_link, {"password": "squatter-pass-2026!"}).status_code == 400
    response = client.post(owners_link, {"password": NEW_PASSWORD}, follow=True)
    assert "アカウントを有効にしました" in response.content.decode()

    account.refresh_from_db()
    assert account.is_active and account.check_password(NEW_PASSWORD)
    assert not account.check_password("squatter-pass-2026!")
    assert squatter.get("/supporters/mine/").status_code == 302  # the earlier session is gone
    assert not Client().login(username="owner@example.jp", password="squatter-pass-2026!")
    assert Client().login(username="owner@example.jp", password=NEW_PASSWORD)


def test_a_double_submitted_signup_answers_the_same(client, monkeypatch):
    """Two submits of the same sign-up race: the second finds the address taken only when it saves."""
    from django.db.models import QuerySet

    assert signup(client, email="twice@example.jp").status_code == 200
    first_lookup = QuerySet.first

    def not_yet_committed(queryset):
        # The other request's row is not visible yet when this one looks.
        if queryset.model is User and "twice@example.jp" in str(queryset.query):
            return None
        return first_lookup(queryset)

    monkeypatch.setattr(QuerySet, "first", not_yet_committed)
    response = signup(client, email="twice@example.jp")
    monkeypatch.undo()
    assert response.status_code == 200 and "確認メールを送りました" in response.content.decode()
    assert User.objects.filter(username="twice@example.jp").count() == 1
    # Both mails carry a link that opens the account with the one password typed.
    for message in sent():
        assert "/accounts/verify/" in message.body
    response = client.post(verify_path(sent()[0]), {"password": NEW_PASSWORD}, follow=True)
    assert "アカウントを有効にしました" in response.content.decode()


def test_signup_errors_are_in_japanese_with_a_summary(client):
    response = signup(client, email="not-an-address", password="short", password2="other")
    body = response.content.decode()
    assert response.status_code == 400
    assert "入力内容を確認してください" in body
    assert 'href="#id_email"' in body
    assert not User.objects.exists()


def test_signup_with_a_taken_address_reveals_nothing_and_mails_the_owner(client):
    UserFactory(email="taken@example.jp")
    response = signup(client, email="Taken@example.jp")
    assert "確認メールを送りました" in response.content.decode()
    assert User.objects.filter(username="taken@example.jp").count() == 1
    assert "すでにあります" in sent()[0].body
    assert "/accounts/verify/" not in sent()[0].body


@pytest.mark.parametrize("token", ["garbage", signing.dumps(99999, salt="other-salt")])
def test_bad_links_are_refused(client, token):
    response = client.get(f"/accounts/verify/{token}/", follow=True)
    assert "正しくありません" in response.content.decode()


def test_expired_link_is_refused(client, settings, monkeypatch):
    user = UserFactory(is_active=False)
    token = make_token(user)
    monkeypatch.setattr("config.accounts.MAX_AGE", -1)
    response = client.post(f"/accounts/verify/{token}/", {"password": PASSWORD}, follow=True)
    assert "有効期限" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_old_link_does_not_revive_a_deactivated_account(client):
    from django.utils import timezone

    user = UserFactory(is_active=False, last_login=timezone.now())
    response = client.post(
        f"/accounts/verify/{signing.dumps(user.pk, salt=SALT)}/", {"password": PASSWORD}, follow=True
    )
    assert "このアカウントは利用できません" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_login_page_links_to_signup_and_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in body
    assert 'href="/accounts/password_reset/"' in body


def test_password_reset_and_logout(client):
    user = UserFactory(email="reset@example.jp")
    client.post("/accounts/password_reset/", {"email": "reset@example.jp"})
    assert sent() and sent()[0].to == ["reset@example.jp"]
    assert "/accounts/reset/" in sent()[0].body and "\n" not in sent()[0].subject
    client.login(username=user.username, password=PASSWORD)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/supporters/mine/").status_code == 302


def test_password_reset_is_limited_per_typed_address_and_per_client(client):
    UserFactory(email="target@example.jp")
    for n in range(3):
        client.post("/accounts/password_reset/", {"email": "target@example.jp"}, REMOTE_ADDR=f"192.0.2.{n}")
    response = client.post("/accounts/password_reset/", {"email": "TARGET@example.jp"}, REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 429
    assert "送信できる件数を超えました" in response.content.decode()
    assert len(sent()) == 3
    for n in range(10):
        client.post("/accounts/password_reset/", {"email": f"x{n}@example.jp"}, REMOTE_ADDR="198.51.100.7")
    assert (
        client.post("/accounts/password_reset/", {"email": "y@example.jp"}, REMOTE_ADDR="198.51.100.7").status_code
        == 429
    )


def test_signup_is_limited_per_typed_address(client):
    for n in range(3):
        signup(client, email="flooded@example.jp", password=f"pass-{n}-2026-long!")
    response = signup(client, email="flooded@example.jp")
    assert response.status_code == 429 and "送信できる件数を超えました" in response.content.decode()
    assert len(sent()) == 3


def test_signing_up_again_before_verifying_resends_the_link(client):
    signup(client, email="again@example.jp")
    signup(client, email="again@example.jp", password="another-pass-2026!")
    assert len(sent()) == 2
    assert "/accounts/verify/" in sent()[1].body
    assert User.objects.filter(username="again@example.jp").count() == 1
    # The latest sign-up's password is the one the link asks for.
    response = client.post(verify_path(sent()[0]), {"password": "another-pass-2026!"}, follow=True)
    assert "アカウントを有効にしました" in response.content.decode()


def test_signed_in_users_go_to_their_start_page(client, settings):
    client.force_login(UserFactory())
    assert client.get("/accounts/signup/")["Location"] == reverse("start")
    assert client.get("/accounts/signup/?next=/supporters/apply/")["Location"] == "/supporters/apply/"
