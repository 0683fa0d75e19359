"""Expert accounts: sign up, verify by link, log in, reset, log out."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse

from config.accounts import SALT, make_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "kiwi-orange-2026!"


def signup(client, email="New.Expert@Example.jp", password=NEW_PASSWORD, password2=None):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password2 or password})


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)


def test_signup_creates_an_inactive_non_staff_account_and_mails_a_link(client):
    response = signup(client)
    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    user = User.objects.get(username="new.expert@example.jp")
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)
    assert user.email == "new.expert@example.jp"
    assert mail.outbox[0].to == ["new.expert@example.jp"]
    # Not usable before the link is followed.
    assert not client.login(username="new.expert@example.jp", password=NEW_PASSWORD)

    response = client.get(link_in(mail.outbox[0]).split("testserver")[-1], follow=True)
    assert "メールアドレスを確認しました" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    response = client.post("/accounts/login/", {"username": "NEW.expert@example.jp", "password": NEW_PASSWORD})
    assert response.status_code == 302


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
    assert "すでにあります" in mail.outbox[0].body
    assert "/accounts/verify/" not in mail.outbox[0].body


@pytest.mark.parametrize("token", ["garbage", signing.dumps(99999, salt="other-salt")])
def test_bad_links_are_refused(client, token):
    response = client.get(f"/accounts/verify/{token}/", follow=True)
    assert "正しくありません" in response.content.decode()


def test_expired_link_is_refused(client, settings, monkeypatch):
    user = UserFactory(is_active=False)
    token = make_token(user)
    monkeypatch.setattr("config.accounts.MAX_AGE", -1)
    response = client.get(f"/accounts/verify/{token}/", follow=True)
    assert "有効期限" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_old_link_does_not_revive_a_deactivated_account(client):
    from django.utils import timezone

    user = UserFactory(is_active=False, last_login=timezone.now())
    client.get(f"/accounts/verify/{signing.dumps(user.pk, salt=SALT)}/")
    user.refresh_from_db()
    assert not user.is_active


def test_login_page_links_to_signup_and_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in body
    assert 'href="/accounts/password_reset/"' in body


def test_password_reset_and_logout(client):
    user = UserFactory(email="reset@example.jp")
    client.post("/accounts/password_reset/", {"email": "reset@example.jp"})
    assert mail.outbox and mail.outbox[0].to == ["reset@example.jp"]
    client.login(username=user.username, password=PASSWORD)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/supporters/mine/").status_code == 302


def test_signing_up_again_before_verifying_resends_the_link(client):
    signup(client, email="again@example.jp")
    signup(client, email="again@example.jp", password="another-pass-2026!")
    assert len(mail.outbox) == 2
    assert "/accounts/verify/" in mail.outbox[1].body
    assert User.objects.filter(username="again@example.jp").count() == 1


def test_signed_in_users_go_to_their_start_page(client, settings):
    client.force_login(UserFactory())
    assert client.get("/accounts/signup/")["Location"] == reverse("start")
    assert client.get("/accounts/signup/?next=/supporters/apply/")["Location"] == "/supporters/apply/"
