"""Workflows that span many rows or models."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from config.mail import queue_mail
from config.transitions import TransitionRefused

from . import markup
from .models import (
    ENTRY_FIELDS,
    LIVE_STATUSES,
    ChangeRequest,
    ClaimLink,
    ContactMessage,
    Decision,
    ReminderLog,
    Supporter,
)
from .tabular import ParsedRow

BATCH = 500
# What an import row sets: the entry's own values (its 公開の設定 stays the expert's), the
# date the list last confirmed it and the private contact address.
IMPORTED_FIELDS = [*(name for name in ENTRY_FIELDS if name != "hidden_fields"), "updated_on", "contact_email"]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int = 0
    expired: int = 0

    def __str__(self):
        text = f"新規 {self.created}件、更新 {self.updated}件"
        text += f"、変更なし {self.unchanged}件" if self.unchanged else ""
        return text + (f"(うち登録有効期限切れのため非公開 {self.expired}件)" if self.expired else "")


def _same(name: str, stored, imported) -> bool:
    """Equal as the database would store them (a TermSet equals its slug list)."""
    field = Supporter._meta.get_field(name)
    return field.get_prep_value(stored) == field.get_prep_value(imported)


# Entry fields an entry may keep private, by Supporter.HIDEABLE_FIELDS key.
PRIVATE_FIELDS = {
    "name_kana": "name_kana",
    "email": "email",
    "residence_prefecture": "residence",
    "residence_city": "residence",
    "organization": "organization",
    "qualifications": "qualifications",
    "groups": "groups",
    "self_pr": "self_pr",
    "url": "url",
}


def _imported_values(supporter: Supporter | None, fields: dict) -> dict:
    """What a row writes (supporters/tabular.py: re-importing never erases what a file does not
    carry). A missing column (the private contact address in the public CSV) keeps the stored
    value; so does an empty cell in a field this entry keeps private, as the public CSV leaves it."""
    values = {name: fields[name] for name in IMPORTED_FIELDS if name in fields}
    if supporter is not None:
        hidden = set(supporter.hidden_fields or [])
        for name, key in PRIVATE_FIELDS.items():
            if key in hidden and values.get(name) in ("", None):
                values.pop(name)
    return values


@transaction.atomic
def import_supporters(*, rows: list[ParsedRow], dry_run: bool = False) -> ImportSummary:
    """Upsert validated rows by 登録番号, all or nothing.

    Imported rows are the list as IPA staff maintain it, so they are published
    as they stand, except rows whose 登録有効期限 has passed: those are stored
    as 期限切れ and never shown. With ``dry_run`` nothing is written.
    """
    today = timezone.localdate()
    now = timezone.now()
    numbers = [row.fields["registration_no"] for row in rows]
    existing: dict[str, Supporter] = {}
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        existing.update((s.registration_no, s) for s in Supporter.objects.live().filter(registration_no__in=chunk))

    to_create, to_update, unchanged = [], [], 0
    for row in rows:
        fields = {**row.fields, "updated_on": row.fields.get("updated_on") or today}
        expired = bool(fields.get("valid_until") and fields["valid_until"] < today)
        status = Supporter.Status.EXPIRED if expired else Supporter.Status.PUBLISHED
        supporter = existing.get(fields["registration_no"])
        values = _imported_values(supporter, fields)
        if supporter is None:
            supporter = Supporter(registration_no=fields["registration_no"], **values, status=status)
            supporter.refresh_search_text()
            to_create.append(supporter)
            continue
        if supporter.status == status and all(
            _same(name, getattr(supporter, name), value) for name, value in values.items()
        ):
            unchanged += 1  # re-importing the same list writes nothing
            continue
        for name, value in values.items():
            setattr(supporter, name, value)
        supporter.status = status
        supporter.modified_at = now
        supporter.refresh_search_text()
        to_update.append(supporter)

    summary = ImportSummary(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        expired=sum(s.status == Supporter.Status.EXPIRED for s in [*to_create, *to_update]),
    )
    if dry_run:
        return summary
    # One history row per entry, written in bulk like the entries themselves.
    bulk_create_with_history(to_create, Supporter, batch_size=BATCH, default_change_reason="一括取込")
    Supporter.objects.update_each(to_update, [*IMPORTED_FIELDS, "status", "search_text", "modified_at"])
    Supporter.history.bulk_history_create(to_update, update=True, default_change_reason="一括取込")
    # Bulk writes send no post_save: the list's markup of the entries written, after the commit.
    markup.refresh_after_commit([s.pk for s in [*to_create, *to_update] if s.status == Supporter.Status.PUBLISHED])
    return summary


# Registration lifecycle ----------------------------------------------------
# Each function changes the state, records a Decision and queues the expert's
# e-mail in one transaction (config/mail.py): the message exists exactly when
# the change does, and the outbox's worker sends it, retrying if the mail
# server is down.

A = Decision.Action
SUBJECTS = {
    A.SUBMITTED: "登録申請を受け付けました",
    A.CHANGE_SUBMITTED: "変更申請を受け付けました",
    A.APPROVED: "登録内容を掲載しました",
    A.RETURNED: "登録内容の修正をお願いします(差戻し)",
    A.REJECTED: "登録申請を受理できませんでした",
    A.ENDED: "掲載を終了しました",
    A.EXPIRED: "登録有効期限が過ぎたため掲載を停止しました",
    A.CLAIMED: "登録をアカウントに連携しました",
}


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def _mail(supporter: Supporter, template: str, subject: str, **context) -> None:
    address = supporter.contact_address
    if not address:
        return
    body = render_to_string(
        f"supporters/email/{template}.txt",
        {"supporter": supporter, "mine_url": site_url(reverse("supporters:mine")), **context},
    )
    queue_mail(f"[セキュリティ対策支援者リスト] {subject}", body, [address])


def _record(supporter, action, *, by=None, reason="", change=None) -> Decision:
    decision = Decision.objects.create(
        supporter=supporter, change_request=change, action=action, actor=by, reason=reason.strip()
    )
    if action in SUBJECTS:
        _mail(supporter, "decision", SUBJECTS[action], decision=decision, change=change)
    return decision


@transaction.atomic
def submit_application(*, supporter: Supporter, by) -> Decision:
    """Send a new (unsaved) or returned application for review."""
    if supporter.pk is None:
        supporter.status = Supporter.Status.DRAFT
        supporter.user = by
    # Save what the expert typed, then move it to review.
    supporter._history_user = by
    supporter.save()
    supporter.submit(by=by)
    return _record(supporter, A.SUBMITTED, by=by)


PENDING_CHANGE = (
    "審査中の変更申請がすでにあります。内容はマイページで確かめられます。取り下げるか、結果をお待ちください。"
)


@transaction.atomic
def save_draft(*, supporter: Supporter, by) -> Supporter:
    """Keep an application that is not finished (new, or returned for changes) without sending it."""
    if supporter.pk is None:
        supporter.status = Supporter.Status.DRAFT
        supporter.user = by
    elif supporter.status not in (Supporter.Status.DRAFT, Supporter.Status.RETURNED):
        raise TransitionRefused(f"掲載状況が「{supporter.get_status_display()}」の登録は一時保存できません。")
    supporter._history_user = by
    supporter._change_reason = "一時保存"
    supporter.save()
    return supporter


@transaction.atomic
def submit_change(*, supporter: Supporter, data: dict, by) -> ChangeRequest:
    """Propose new values for a published or expired entry; a returned
    change request is edited and sent again rather than duplicated."""
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.status not in (Supporter.Status.PUBLISHED, Supporter.Status.EXPIRED):
        raise TransitionRefused(f"掲載状況が「{supporter.get_status_display()}」の登録は変更申請できません。")
    change = supporter.open_change
    if change is not None and change.status == ChangeRequest.Status.PENDING:
        raise TransitionRefused(PENDING_CHANGE)  # a double submit: the first is under review
    if change is None:
        try:
            with transaction.atomic():
                change = ChangeRequest.objects.create(supporter=supporter, data=data, created_by=by)
        except IntegrityError:  # the other submit got there first (SQLite takes no row locks)
            raise TransitionRefused(PENDING_CHANGE) from None
    else:
        change.resubmit(data=data)
    _record(supporter, A.CHANGE_SUBMITTED, by=by, change=change)
    return change


@transaction.atomic
def review(*, item: Supporter | ChangeRequest, action: str, by, reason: str = "") -> Decision:
    """Staff approve, return (差戻し) or reject an application or change request."""
    transitions = {
        "approve": (item.approve, A.APPROVED, {}),
        "return": (item.return_for_changes, A.RETURNED, {"reason": reason}),
        "reject": (item.reject, A.REJECTED, {"reason": reason}),
    }
    if action not in transitions:
        raise TransitionRefused("判断の種類が正しくありません。")
    method, recorded, extra = transitions[action]
    method(by=by, **extra)
    if isinstance(item, ChangeRequest):
        return _record(item.supporter, recorded, by=by, reason=reason, change=item)
    return _record(item, recorded, by=by, reason=reason)


@transaction.atomic
def end_listing(*, supporter: Supporter, by, reason: str = "") -> Decision:
    """End a listing, at the expert's request or by staff."""
    supporter.end_listing(by=by)
    return _record(supporter, A.ENDED, by=by, reason=reason)


@transaction.atomic
def confirm_unchanged(*, supporter: Supporter, by) -> Decision:
    """内容に変更なし: the expert vouches for the entry; no review needed."""
    supporter.confirm_unchanged(by=by)
    return _record(supporter, A.CONFIRMED, by=by)


@transaction.atomic
def withdraw_change(*, change: ChangeRequest, by) -> Decision:
    change.withdraw(by=by)
    return _record(change.supporter, A.WITHDRAWN, by=by, change=change)


@transaction.atomic
def expire_listing(*, supporter: Supporter) -> Decision:
    supporter.expire()
    return _record(supporter, A.EXPIRED)


@transaction.atomic
def send_reminder(*, supporter: Supporter, kind: str, about: datetime.date) -> bool:
    """Send one reminder unless it was sent before; True if sent now."""
    _, created = ReminderLog.objects.get_or_create(supporter=supporter, kind=kind, key=about.isoformat())
    if created:
        subject = {
            ReminderLog.Kind.EXPIRY_60: "登録有効期限が近づいています(60日前)",
            ReminderLog.Kind.EXPIRY_30: "登録有効期限が近づいています(30日前)",
            ReminderLog.Kind.STALE: "掲載内容の確認をお願いします(最終更新から1年以上)",
        }[kind]
        _mail(supporter, "reminder", subject, kind=kind, about=about)
    return created


@transaction.atomic
def relay_contact(*, supporter: Supporter, message: ContactMessage) -> ContactMessage:
    """Store a message to an expert and forward it; the sender never sees
    the expert's address, the expert replies to the sender directly."""
    message.supporter = supporter
    message.save()
    context = {"supporter": supporter, "message": message, "detail_url": site_url(supporter.get_absolute_url())}
    # The sender's own words stay in the body; the subject is ours alone.
    queue_mail(
        "[セキュリティ対策支援者リスト] 個票のお問い合わせフォームからメッセージが届きました",
        render_to_string("supporters/email/contact.txt", context),
        [supporter.contact_address],
        reply_to=[message.email],
    )
    # The sender's copy: what was sent and what happens next (never the expert's address).
    queue_mail(
        f"[セキュリティ対策支援者リスト] {supporter.name}さんへのご相談を送りました(控え)",
        render_to_string("supporters/email/contact_copy.txt", context),
        [message.email],
    )
    return message


def report_error(*, supporter: Supporter, item: str, detail: str, reply_to: str = "") -> None:
    """「掲載内容の誤りを報告」: tell the list's office (settings.LIST_OFFICE_EMAIL)."""
    body = render_to_string(
        "supporters/email/error_report.txt",
        {
            "supporter": supporter,
            "item": item,
            "detail": detail,
            "reply_to": reply_to,
            "detail_url": site_url(supporter.get_absolute_url()),
        },
    )
    queue_mail(
        f"[セキュリティ対策支援者リスト] 掲載内容の誤りの報告(登録番号 {supporter.registration_no})",
        body,
        [settings.LIST_OFFICE_EMAIL],
        reply_to=[reply_to] if reply_to else None,
    )


# Claiming an entry (docs/decisions/0710) ------------------------------------
# The entry's own address is the only proof: a link mailed there, signed,
# single use (ClaimLink.used_at) and expiring. A public field (氏名, 登録番号)
# never attaches an entry to anyone.

CLAIM_SALT = "supporters.claim"


def claim_token(link: ClaimLink) -> str:
    return signing.dumps([link.pk, link.email], salt=CLAIM_SALT, compress=True)


def claim_link_from_token(token: str) -> ClaimLink | None:
    """The link a token was made for (expired and used links too: the page says why they no longer work)."""
    try:
        pk, email = signing.loads(token, salt=CLAIM_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return ClaimLink.objects.select_related("supporter").filter(pk=pk, email=email).first()


def claim_url(link: ClaimLink) -> str:
    return site_url(reverse("supporters:claim", args=[claim_token(link)]))


@transaction.atomic
def issue_claim_link(*, supporter: Supporter, origin: str, by=None) -> ClaimLink:
    """A new link to ``supporter``'s own address (the caller mails it)."""
    return ClaimLink.objects.create(supporter=supporter, email=supporter.entry_address, origin=origin, requested_by=by)


def _mail_claim_link(link: ClaimLink) -> None:
    body = render_to_string(
        "supporters/email/claim.txt",
        {
            "link": link,
            "supporter": link.supporter,
            "url": claim_url(link),
            "for_experts_url": site_url(reverse("supporters:for-experts")),
        },
    )
    subject = (
        "掲載情報をアカウントに連携するためのリンク"
        if link.origin == ClaimLink.Origin.REQUESTED
        else "掲載情報をサイトで管理できるようになりました(アカウント連携のご案内)"
    )
    queue_mail(f"[セキュリティ対策支援者リスト] {subject}", body, [link.email])


def claimable():
    """Entries an expert may still take over: live, with no account."""
    return Supporter.objects.filter(status__in=LIVE_STATUSES, user__isnull=True)


@transaction.atomic
def request_claim(*, address: str, by) -> int:
    """Mail a claim link to each entry without an account whose own address is ``address``.

    Returns how many were mailed, for tests and logs only: the page answers the
    same whether or not the address matched, so it reveals no entry's address.
    """
    address = address.strip()
    entries = (
        claimable()
        .select_for_update()
        .filter(Q(contact_email__iexact=address) | Q(contact_email="", email__iexact=address))
        .order_by("registration_no")[:5]
    )
    since = timezone.now() - datetime.timedelta(days=1)
    mailed = 0
    for supporter in entries:
        recent = supporter.claim_links.filter(origin=ClaimLink.Origin.REQUESTED).sent_since(since).count()
        if recent >= ClaimLink.REQUESTS_PER_ENTRY_PER_DAY:
            continue  # the owner's mailbox already holds today's links
        _mail_claim_link(issue_claim_link(supporter=supporter, origin=ClaimLink.Origin.REQUESTED, by=by))
        mailed += 1
    return mailed


@dataclass(frozen=True)
class ClaimInvitations:
    """What staff's bulk invitation would do with the selected entries."""

    to_mail: list[Supporter]
    no_address: list[Supporter]
    claimed: list[Supporter]
    recently_invited: list[Supporter]


def plan_claim_invitations(supporters) -> ClaimInvitations:
    """Sort the selected entries: who gets a link now, and who does not and why."""
    since = timezone.now() - datetime.timedelta(days=ClaimLink.STAFF_RESEND_DAYS)
    recent = set(
        ClaimLink.objects.filter(supporter__in=supporters, origin=ClaimLink.Origin.STAFF)
        .sent_since(since)
        .values_list("supporter_id", flat=True)
    )
    to_mail, no_address, claimed, recently = [], [], [], []
    for supporter in supporters:
        if supporter.user_id is not None or supporter.status not in LIVE_STATUSES:
            claimed.append(supporter)
        elif not supporter.entry_address:
            no_address.append(supporter)
        elif supporter.pk in recent:
            recently.append(supporter)
        else:
            to_mail.append(supporter)
    return ClaimInvitations(to_mail, no_address, claimed, recently)


@transaction.atomic
def send_claim_invitations(*, supporters, by) -> int:
    """Staff invite the selected entries' experts to claim them: one queued mail each (the outbox
    sends them), never twice within ClaimLink.STAFF_RESEND_DAYS. Returns how many were queued."""
    locked = list(Supporter.objects.select_for_update().filter(pk__in=[s.pk for s in supporters]).order_by("pk"))
    plan = plan_claim_invitations(locked)
    for supporter in plan.to_mail:
        _mail_claim_link(issue_claim_link(supporter=supporter, origin=ClaimLink.Origin.STAFF, by=by))
    return len(plan.to_mail)


@transaction.atomic
def claim_entry(*, link: ClaimLink, user) -> Supporter:
    """Attach the link's entry to ``user``: once, and to one account only, however many try at once."""
    link = ClaimLink.objects.select_for_update().select_related("supporter").get(pk=link.pk)
    link.use(by=user)
    _record(link.supporter, A.CLAIMED, by=user)
    return link.supporter
