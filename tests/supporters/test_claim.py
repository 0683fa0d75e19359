"""Claiming an imported entry (docs/decisions/0710): by a link mailed to the entry's own address,
asked for by the expert or sent in bulk by staff; never by a public field."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.utils import timezone

from supporters import services
from supporters.models import ClaimLink, Decision, Supporter
from tests.factories import PASSWORD, SupporterFactory, UserFactory, login_staff, make_staff
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
PRIVATE = "owner-private@example.jp"
LINK = re.compile(r"http://\S+(/supporters/claim/[^/\s]+/)")
SAME_ANSWER = "一致した場合は、そのアドレスに連携用のリンクを送りました"


@pytest.fixture
def imported():
    """An imported entry: no account, a private contact address, its public address hidden."""
    return SupporterFactory(
        registration_no="500001",
        name="取込 一郎",
        contact_email=PRIVATE,
        email="public-500001@example.jp",
        hidden_fields=["email"],
    )


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.jp")


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def page_text(response, address: str) -> str:
    """The page with the typed address and the CSRF tokens (different on every page) left out."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode().replace(address, "ADDRESS"))


def ask(client, address):
    return client.post("/supporters/claim/", {"email": address})


def test_the_entry_is_claimed_through_the_link_mailed_to_its_private_address(client, imported, owner):
    client.force_login(owner)
    response = ask(client, PRIVATE.upper())  # the address as typed, any case
    assert response.status_code == 200 and SAME_ANSWER in response.content.decode()
    (message,) = sent()
    assert message.to == [PRIVATE]
    url = link_in(message)

    page = client.get(url)  # opening the link changes nothing (mail scanners open links too)
    assert page.status_code == 200
    assert "この登録をアカウントに連携する" in page.content.decode() and "500001" in page.content.decode()
    assert Supporter.objects.get(pk=imported.pk).user is None

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/supporters/mine/"
    imported.refresh_from_db()
    assert imported.user == owner
    assert imported.decisions.filter(action=Decision.Action.CLAIMED, actor=owner).exists()
    mine = client.get("/supporters/mine/").content.decode()
    assert "500001" in mine and "アカウント連携" in mine
    # The account hears of it (a stranger's claim would not go unnoticed).
    assert any(m.to == ["owner@example.jp"] and "アカウントに連携しました" in m.subject for m in sent())


def test_the_answer_is_the_same_whether_or_not_the_address_matched(client, imported, owner):
    client.force_login(owner)
    matched = ask(client, PRIVATE)
    unknown = ask(client, "nobody@example.jp")
    assert matched.status_code == unknown.status_code == 200
    assert page_text(matched, PRIVATE) == page_text(unknown, "nobody@example.jp")
    assert [m.to for m in sent()] == [[PRIVATE]]


def test_a_public_field_alone_never_claims(client, imported, owner):
    """The public address of an entry that has a private one, its name or number: no mail, no claim."""
    client.force_login(owner)
    for typed in ["public-500001@example.jp", "500001", "取込 一郎"]:
        ask(client, typed)
    assert sent() == []
    assert Supporter.objects.get(pk=imported.pk).user is None


def test_an_entry_without_a_private_address_is_claimed_through_its_own_published_one(client, owner):
    entry = SupporterFactory(email="only-public@example.jp", contact_email="")
    client.force_login(owner)
    ask(client, "only-public@example.jp")
    (message,) = sent()
    assert message.to == ["only-public@example.jp"]
    client.post(link_in(message))
    assert Supporter.objects.get(pk=entry.pk).user == owner


def test_the_link_is_single_use(client, imported, owner):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.REQUESTED, by=owner)
    url = f"/supporters/claim/{services.claim_token(link)}/"
    client.force_login(owner)
    assert client.post(url).status_code == 302
    again = client.post(url)  # a double submit
    assert again.status_code == 409 and "すでに使われ" in again.content.decode()

    other = UserFactory(email="other@example.jp")
    client.force_login(other)
    page = client.get(url)
    assert page.status_code == 410 and "1回だけ" in page.content.decode()
    assert client.post(url).status_code == 409
    assert Supporter.objects.get(pk=imported.pk).user == owner


def test_an_expired_link_says_how_to_get_a_new_one(client, imported, owner):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.REQUESTED, by=owner)
    ClaimLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(owner)
    url = f"/supporters/claim/{services.claim_token(link)}/"
    page = client.get(url)
    assert page.status_code == 410
    assert "有効期限(3日)が切れています" in page.content.decode() and "/supporters/claim/" in page.content.decode()
    assert client.post(url).status_code == 409
    assert Supporter.objects.get(pk=imported.pk).user is None


def test_a_requested_link_expires_after_three_days_and_staffs_after_thirty(imported):
    now = timezone.now()
    requested = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.REQUESTED)
    invited = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    assert abs((requested.expires_at - now) - datetime.timedelta(days=3)) < datetime.timedelta(minutes=1)
    assert abs((invited.expires_at - now) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)


def test_a_tampered_or_foreign_token_opens_nothing(client, imported, owner):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.REQUESTED)
    token = services.claim_token(link)
    client.force_login(owner)
    for bad in [token[:-2] + "xx", "not-a-token"]:
        response = client.post(f"/supporters/claim/{bad}/")
        assert response.status_code == 404 and "リンクが正しくありません" in response.content.decode()
    assert Supporter.objects.get(pk=imported.pk).user is None


def test_two_accounts_racing_for_one_entry_one_wins_and_the_other_is_told(client, imported):
    first, second = UserFactory(email="first@example.jp"), UserFactory(email="second@example.jp")
    link_a = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    link_b = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.REQUESTED)
    # Both loaded the entry without an account; the first claim lands in between.
    stale = Supporter.objects.get(pk=imported.pk)
    client.force_login(first)
    assert client.post(f"/supporters/claim/{services.claim_token(link_a)}/").status_code == 302
    with pytest.raises(Exception, match="すでに別のアカウントに連携されています"):
        stale.claim(by=second)
    client.force_login(second)
    response = client.post(f"/supporters/claim/{services.claim_token(link_b)}/")
    assert response.status_code == 409 and "すでに別のアカウントに連携されています" in response.content.decode()
    assert Supporter.objects.get(pk=imported.pk).user == first


def test_the_link_dies_when_the_entrys_address_changes(client, imported, owner):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    Supporter.objects.filter(pk=imported.pk).update(contact_email="new-address@example.jp")
    client.force_login(owner)
    response = client.post(f"/supporters/claim/{services.claim_token(link)}/")
    assert response.status_code == 409 and "連絡先メールアドレスが変わった" in response.content.decode()


def test_an_account_with_an_entry_is_not_given_a_second(client, imported):
    expert = UserFactory(email="listed@example.jp")
    SupporterFactory(user=expert, registration_no="500099")
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    client.force_login(expert)
    response = client.post(f"/supporters/claim/{services.claim_token(link)}/")
    assert response.status_code == 409 and "すでに登録(登録番号 500099)があります" in response.content.decode()
    assert client.get("/supporters/claim/").status_code == 302  # the request page sends them to マイページ


def test_asking_is_rate_limited_per_address_and_per_account(client, imported, owner):
    client.force_login(owner)
    answers = [ask(client, PRIVATE).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(sent()) == 3  # and never more than three links a day reach the entry's mailbox
    answers = [ask(client, f"someone{i}@example.jp").status_code for i in range(2)]
    assert answers[-1] == 429  # five tries an hour per account, whatever the address


def test_the_entrys_mailbox_gets_at_most_three_requested_links_a_day(imported):
    users = [UserFactory(email=f"asker{i}@example.jp") for i in range(5)]
    mailed = [services.request_claim(address=PRIVATE, by=user) for user in users]
    assert mailed == [1, 1, 1, 0, 0]


def test_someone_without_an_account_signs_up_through_the_link_and_claims(client, imported):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    url = f"/supporters/claim/{services.claim_token(link)}/"
    page = client.get(url).content.decode()
    assert "ログインして連携する" in page and "アカウントを登録して連携する" in page
    assert client.post(url)["Location"].startswith("/accounts/login/")  # the button needs an account

    signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    next_url = unquote(signup.split("next=", 1)[1])
    client.post(
        signup, {"email": "newcomer@example.jp", "password1": PASSWORD, "password2": PASSWORD, "next": next_url}
    )
    verify = re.search(r"http://testserver(/accounts/verify/\S+)", sent()[-1].body).group(1)
    response = client.post(verify, {"password": PASSWORD})
    assert response["Location"] == url  # back to the claim link
    assert client.post(url)["Location"] == "/supporters/mine/"
    assert Supporter.objects.get(pk=imported.pk).user.username == "newcomer@example.jp"


# Once claimed, the entry is the account's like one applied for online --------


@pytest.fixture
def claimed(client, imported, owner):
    link = services.issue_claim_link(supporter=imported, origin=ClaimLink.Origin.STAFF)
    client.force_login(owner)
    client.post(f"/supporters/claim/{services.claim_token(link)}/")
    return client


def test_a_claimed_entry_is_confirmed_unchanged_from_mine(claimed, imported):
    Supporter.objects.filter(pk=imported.pk).update(updated_on=datetime.date(2025, 1, 1))
    response = claimed.post("/supporters/mine/confirm/")
    assert response.status_code == 302
    assert Supporter.objects.get(pk=imported.pk).updated_on == timezone.localdate()


def test_a_claimed_entry_is_changed_and_renewed_from_mine(claimed, imported):
    from tests.supporters.conftest import entry_data

    page = claimed.get("/supporters/mine/edit/")
    assert page.status_code == 200 and "掲載内容の変更を申請する" in page.content.decode()
    renewed = (timezone.localdate() + datetime.timedelta(days=900)).isoformat()
    response = claimed.post(
        "/supporters/mine/edit/", entry_data(registration_no="500001", name="取込 一郎", valid_until=renewed)
    )
    assert response.status_code == 302
    change = imported.change_requests.get()
    assert change.data["valid_until"] == renewed
    assert "変更申請" in claimed.get("/supporters/mine/").content.decode()


def test_a_claimed_entry_receives_referrals_in_the_inbox(claimed, imported):
    from supporters.referrals.models import Referral, delivery
    from tests.referrals.factories import CaseFactory, member_of

    entry = Supporter.objects.select_related("user").get(pk=imported.pk)
    assert "紹介された相談" in delivery(entry).how
    case = CaseFactory()
    referral = Referral.objects.start(case=case, supporter=entry, actor=member_of(case.organisation))
    inbox = claimed.get("/referrals/inbox/")
    assert inbox.status_code == 200 and case.organisation.name in inbox.content.decode()
    assert claimed.get(f"/referrals/inbox/{referral.pk}/").status_code == 200


# Staff: which entries are unclaimed, and the bulk invitation -----------------


@pytest.fixture
def staff_client(client):
    return login_staff(client, make_staff())


def test_staff_see_the_unclaimed_entries_and_their_count(staff_client, imported):
    SupporterFactory(registration_no="500002", name="連携済 花子", user=UserFactory(email="hanako@example.jp"))
    page = staff_client.get("/admin/supporters/supporter/").content.decode()
    assert "アカウント未連携の登録(掲載中・期限切れなど): <strong>1件</strong>" in page
    filtered = staff_client.get("/admin/supporters/supporter/", {"account": "unclaimed"}).content.decode()
    assert "取込 一郎" in filtered and "連携済 花子" not in filtered
    claimed = staff_client.get("/admin/supporters/supporter/", {"account": "claimed"}).content.decode()
    assert "連携済 花子" in claimed and "取込 一郎" not in claimed
    front = staff_client.get("/admin/").content.decode()
    assert (
        '<a href="/admin/supporters/supporter/?account=unclaimed"><span class="staff-task-label">'
        'アカウント未連携の登録</span> <strong class="staff-task-count">1件</strong>'
    ) in front


def test_staff_invite_in_bulk_after_a_confirmation_page(staff_client, imported):
    no_address = SupporterFactory(registration_no="500003", name="宛先 なし", email="", contact_email="")
    has_account = SupporterFactory(registration_no="500004", user=UserFactory(email="has@example.jp"))
    selection = {"action": "send_claim_links", "_selected_action": [imported.pk, no_address.pk, has_account.pk]}
    page = staff_client.post("/admin/supporters/supporter/", selection)
    text = page.content.decode()
    assert page.status_code == 200
    assert "<strong>1件</strong>の登録の本人に" in text
    assert "メールアドレスがないため送れない登録(1件)" in text and "宛先 なし" in text
    assert "アカウント連携済み" in text
    assert sent() == []  # nothing before the confirmation

    done = staff_client.post("/admin/supporters/supporter/", {**selection, "confirmed": "yes"}, follow=True)
    assert "1件の登録の本人に、アカウント連携の案内メールを送信待ちにしました" in done.content.decode()
    (message,) = sent()
    assert message.to == [PRIVATE] and "/supporters/claim/" in message.body
    assert ClaimLink.objects.get().origin == ClaimLink.Origin.STAFF

    # Not sent again within the window.
    again = staff_client.post("/admin/supporters/supporter/", selection).content.decode()
    assert "7日以内に案内済みのため送らない登録(1件)" in again
    staff_client.post("/admin/supporters/supporter/", {**selection, "confirmed": "yes"})
    assert len(sent()) == 1


def test_bulk_invitations_are_rate_limited_per_staff_account(staff_client):
    entries = [SupporterFactory(contact_email=f"c{i}@example.jp") for i in range(11)]
    for entry in entries:
        staff_client.post(
            "/admin/supporters/supporter/",
            {"action": "send_claim_links", "_selected_action": [entry.pk], "confirmed": "yes"},
        )
    assert len(sent()) == 10
    assert ClaimLink.objects.count() == 10


def test_the_invited_expert_claims_through_the_staff_link(client, staff_client, imported, owner):
    selection = {"action": "send_claim_links", "_selected_action": [imported.pk], "confirmed": "yes"}
    staff_client.post("/admin/supporters/supporter/", selection)
    url = link_in(sent()[0])
    client.logout()
    client.force_login(owner)
    assert client.post(url).status_code == 302
    assert Supporter.objects.get(pk=imported.pk).user == owner


@pytest.mark.django_db(transaction=True)
def test_two_accounts_claiming_at_the_same_instant_on_their_own_connections():
    from django.db import connection
    from django.test import Client

    from tests.assessments.test_simultaneous_saves import post_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs a database that lets two connections write at once (PostgreSQL; CI runs it)")
    for n in range(5):  # the link page takes 10 posts a minute from one client address
        entry = SupporterFactory(contact_email=f"race{n}@example.jp")
        users = {side: UserFactory(email=f"{side}{n}@example.jp") for side in ("first", "second")}
        clients, urls = {}, {}
        for side, user in users.items():
            clients[side] = Client()
            clients[side].force_login(user)
            link = services.issue_claim_link(supporter=entry, origin=ClaimLink.Origin.REQUESTED, by=user)
            urls[side] = f"/supporters/claim/{services.claim_token(link)}/"
        # Each account posts its own link (two mails reached the entry's address).
        answers = post_at_once(clients, urls, {side: {} for side in users})
        assert sorted(answers.values()) == [302, 409], n
        winner = next(side for side, status in answers.items() if status == 302)
        assert Supporter.objects.get(pk=entry.pk).user == users[winner], n
        assert Decision.objects.filter(supporter=entry, action=Decision.Action.CLAIMED).count() == 1, n
