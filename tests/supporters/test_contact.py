"""Contacting an expert whose address is not published."""

import pytest

from supporters.models import ContactMessage
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
SECRET = "hidden-address@example.jp"


@pytest.fixture
def hidden():
    return SupporterFactory(
        registration_no="300001",
        email="entry-secret@example.jp",
        hidden_fields=["email"],
        user=UserFactory(email=SECRET),
    )


def message(**kw):
    data = {
        "name": "中小 企業",
        "email": "sme@example.jp",
        "organization": "株式会社サンプル",
        "message": "相談したいことがあります。",
        "consent": "on",
        "website": "",
    }
    data.update(kw)
    return data


def test_form_is_shown_and_no_address_is_in_the_page(client, hidden):
    body = client.get("/supporters/300001/").content.decode()
    assert "この専門家に相談する" in body and "書いていただくと、話が早く進みます" in body
    assert SECRET not in body and "entry-secret" not in body
    assert 'action="/supporters/300001/contact/"' in body


def test_no_form_when_the_address_is_published(client):
    SupporterFactory(registration_no="300002", email="open@example.jp")
    body = client.get("/supporters/300002/").content.decode()
    assert 'href="mailto:open@example.jp?subject=' in body and "/supporters/300002/contact/" not in body
    assert client.post("/supporters/300002/contact/", message()).status_code == 404


def test_no_form_for_unpublished_entries(client):
    SupporterFactory(registration_no="300003", status="pending", hidden_fields=["email"])
    assert client.post("/supporters/300003/contact/", message()).status_code == 404


def test_message_is_relayed_and_stored(client, hidden):
    response = client.post("/supporters/300001/contact/", message(), REMOTE_ADDR="192.0.2.1", follow=True)
    body = response.content.decode()
    assert "相談の内容を送りました" in body and SECRET not in body
    relayed, copy = sent()
    assert relayed.to == [SECRET]
    assert relayed.reply_to == ["sme@example.jp"]
    assert "相談したいことがあります。" in relayed.body and "株式会社サンプル" in relayed.body
    # The sender's copy: what was sent, never the expert's address.
    assert copy.to == ["sme@example.jp"] and "控え" in copy.subject
    assert "相談したいことがあります。" in copy.body and SECRET not in copy.body + str(copy.reply_to)
    stored = ContactMessage.objects.get()
    assert (stored.supporter, stored.ip_address) == (hidden, "192.0.2.1")


def test_honeypot_filled_sends_nothing_but_looks_the_same(client, hidden):
    response = client.post("/supporters/300001/contact/", message(website="http://spam.example"), follow=True)
    assert "相談の内容を送りました" in response.content.decode()
    assert sent() == [] and not ContactMessage.objects.exists()


@pytest.mark.parametrize(
    "field, value, text",
    [
        ("message", "あ" * 2001, "2000"),
        ("name", "", "必須"),
        ("email", "bad", "メールアドレス"),
        ("consent", "", "同意が必要です"),
        ("organization", "x" * 201, "200"),
    ],
)
def test_invalid_messages_are_refused_with_a_summary(client, hidden, field, value, text):
    data = message(**{field: value})
    if not value:
        data.pop(field)
    response = client.post("/supporters/300001/contact/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "入力内容を確認してください" in body and text in body
    assert SECRET not in body
    assert sent() == [] and not ContactMessage.objects.exists()


def test_limit_per_ip(client, hidden):
    for i in range(5):
        client.post("/supporters/300001/contact/", message(email=f"s{i}@example.jp"), REMOTE_ADDR="192.0.2.9")
    response = client.post("/supporters/300001/contact/", message(email="s9@example.jp"), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    assert "送信できる件数を超えました" in response.content.decode()
    assert len(sent()) == 10  # five messages, each with the sender's copy
    assert (
        client.post("/supporters/300001/contact/", message(email="x@example.jp"), REMOTE_ADDR="192.0.2.10").status_code
        == 302
    )


def test_limit_per_sender_address(client, hidden):
    for i in range(3):
        client.post("/supporters/300001/contact/", message(), REMOTE_ADDR=f"192.0.2.{i + 20}")
    response = client.post("/supporters/300001/contact/", message(), REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429
    assert ContactMessage.objects.count() == 3


def test_contact_needs_post(client, hidden):
    assert client.get("/supporters/300001/contact/").status_code == 405


def test_typed_text_never_reaches_a_header(client, hidden):
    data = message(name="山田\r\nBcc: victim@example.jp", organization="株式会社\nX-Evil: 1")
    assert client.post("/supporters/300001/contact/", data).status_code == 302
    relayed, copy = sent()
    for mail in (relayed, copy):  # the message to the expert and the sender's copy
        assert "山田" not in mail.subject and "\n" not in mail.subject
        assert mail.bcc == []
        headers = mail.message().as_string().split("\n\n", 1)[0]
        assert "victim@example.jp" not in headers and "X-Evil" not in headers
    assert relayed.to == [SECRET]
    assert ContactMessage.objects.get().name == "山田 Bcc: victim@example.jp"  # one line, as stored and shown
