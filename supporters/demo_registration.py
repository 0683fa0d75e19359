"""Demo of the registration lifecycle: the demo expert's pending change,
five pending applications (900001–900005), the IPA staff account, imported
entries reachable only through the contact relay (a private 連絡用メールアドレス),
imported entries claimed by demo accounts and invitations to claim still
waiting (docs/decisions/0710), and a message the outbox gave up on, for staff
to see in the admin."""

from __future__ import annotations

import datetime

from config.models import MAX_ATTEMPTS, OutgoingMail

from . import services
from .demo import demo_expert, demo_staff, demo_user
from .models import ChangeRequest, ClaimLink, Supporter, entry_values

PENDING_NUMBERS = [f"{900000 + n:06d}" for n in range(1, 6)]
PREFECTURES = ["tokyo", "osaka", "aichi", "fukuoka", "hokkaido"]


def load(stdout=None) -> None:
    staff = demo_staff()
    user, entry = demo_expert()
    if entry and not ChangeRequest.objects.filter(supporter=entry).exists():
        data = entry_values(entry)
        data["self_pr"] = "中小企業の情報セキュリティ規程づくりと、SCS評価制度★3の取得準備を支援します。"
        data["fee"] = "10k-20k"
        services.submit_change(supporter=entry, data=data, by=user)

    for i, number in enumerate(PENDING_NUMBERS, start=1):
        if Supporter.objects.filter(registration_no=number).exists():
            continue
        applicant = demo_user(f"demo-applicant{i}@example.jp")
        supporter = Supporter(
            registration_no=number,
            name=f"申請{i:02d} 太郎",
            name_kana=f"シンセイ{i:02d} タロウ",
            email=applicant.email,
            hidden_fields=["email"],
            residence_prefecture=PREFECTURES[i - 1],
            affiliation="employed",
            experience="5-10",
            support_experience="yes",
            support_cases=i,
            support_years=i,
            nationwide=i == 1,
            prefectures=[] if i == 1 else [PREFECTURES[i - 1]],
            themes=["policy", "staff-training"],
            forms=["visit", "remote"],
            valid_until=datetime.date(2028, 3, 31),
        )
        services.submit_application(supporter=supporter, by=applicant)
    relayed = _private_contacts()
    claimed = _claimed_entries(staff)
    invited = _invitations(staff)
    _failed_mail()
    if stdout:
        stdout.write(
            f"デモ: 職員 {staff.email}、変更申請中の専門家 {user.email}、審査待ちの新規申請 {len(PENDING_NUMBERS)}件、"
            f"連絡用メールアドレスだけの登録 {', '.join(relayed)}、"
            f"取込の登録をアカウントに連携済み {', '.join(claimed)}、連携の案内を送った登録 {', '.join(invited)}。"
        )


def _private_contacts() -> list[str]:
    """Three imported entries without an account: address not published, a private contact
    address for the relay (their 個票 shows the contact form)."""
    entries = Supporter.objects.published().filter(user__isnull=True).order_by("registration_no")[:3]
    for entry in entries:
        entry.contact_email = f"contact-{entry.registration_no}@example.jp"
        entry.hidden_fields = sorted({*(entry.hidden_fields or []), "email"})
        entry.save(update_fields=["contact_email", "hidden_fields"])
    return [entry.registration_no for entry in entries]


# Imported entries their experts took over (claimed) through a staff invitation: the
# accounts and the position of their entry among the published ones, after demo-expert's
# and the three relay-only entries.
CLAIMED_ACCOUNTS = [("demo-claimed@example.jp", 4), ("demo-claimed2@example.jp", 5)]
INVITED = slice(6, 9)


def _published_numbers() -> list[str]:
    return list(Supporter.objects.published().order_by("registration_no").values_list("registration_no", flat=True))


def _claimed_entries(staff) -> list[str]:
    """Two imported entries claimed by demo accounts, as an expert would: a staff invitation
    mailed to the entry's address, the link followed while signed in."""
    numbers = _published_numbers()
    claimed = []
    for email, index in CLAIMED_ACCOUNTS:
        entry = Supporter.objects.get(registration_no=numbers[index])
        account = demo_user(email)
        if entry.user_id is None:
            link = services.issue_claim_link(supporter=entry, origin=ClaimLink.Origin.STAFF, by=staff)
            services.claim_entry(link=link, user=account)
        claimed.append(entry.registration_no)
    return claimed


def _invitations(staff) -> list[str]:
    """Three more imported entries invited to claim by staff, not yet claimed (the admin's
    アカウント連携リンク list; every other imported entry is still unclaimed)."""
    entries = Supporter.objects.filter(registration_no__in=_published_numbers()[INVITED], user__isnull=True)
    if not ClaimLink.objects.filter(origin=ClaimLink.Origin.STAFF, used_at__isnull=True).exists():
        services.send_claim_invitations(supporters=list(entries), by=staff)
    return [entry.registration_no for entry in entries]


def _failed_mail() -> None:
    """A reminder whose recipient the mail server refused: 送信メール in the admin shows it as failed."""
    if OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED).exists():
        return
    OutgoingMail.objects.create(
        subject="[セキュリティ対策支援者リスト] 登録有効期限が近づいています(30日前)",
        body="(デモ)宛先のメールサーバーが受け取りを拒否したメールです。",
        to=["bounced@example.invalid"],
        status=OutgoingMail.Status.FAILED,
        attempts=MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: {'bounced@example.invalid': (550, b'5.1.1 User unknown')}",
    )
