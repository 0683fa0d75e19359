"""Workflows that span a case, its referrals and e-mail."""

from __future__ import annotations

import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from config.mail import queue_mail
from config.transitions import TransitionRefused
from supporters import services as directory
from supporters.models import ClaimLink

from .models import (
    EXPERT,
    Case,
    Referral,
    ReferralEvent,
    ShortlistEntry,
    delivery,
)

# A referral mailed to an expert without an account carries a signed link to answer it
# (docs/decisions/0710). The link names the address it went to: if the entry's address
# changes, links sent to the old one stop working.
ANSWER_SALT = "referrals.answer"
ANSWER_MAX_AGE = 60 * 60 * 24 * 60  # 60 days: long enough for a referral to run its course


def answer_token(referral: Referral) -> str:
    return signing.dumps([referral.pk, referral.supporter.entry_address], salt=ANSWER_SALT, compress=True)


def referral_from_token(token: str) -> Referral | None:
    """The referral an answer link was made for, while the link is valid."""
    try:
        pk, address = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    referral = Referral.objects.select_related("case__organisation", "supporter__user").filter(pk=pk).first()
    if referral is None or referral.supporter.entry_address.strip().lower() != str(address).strip().lower():
        return None
    return referral


def answer_url(referral: Referral) -> str:
    return directory.site_url(reverse("referrals:answer", args=[answer_token(referral)]))


@transaction.atomic
def refer(*, entry: ShortlistEntry, actor, inbox_url: str) -> Referral:
    """Refer a shortlisted expert: the referral, its first event, the case state and an
    e-mail (no company details) to the expert's account, or, for an entry without one,
    to the entry's own address with a link to answer and a link to claim the entry."""
    # Referrals of one case take turns (the case row is the lock): a double submit finds the first.
    case: Case = Case.objects.select_for_update().select_related("organisation").get(pk=entry.case_id)
    supporter = entry.supporter
    if case.is_closed:
        raise TransitionRefused("終了した案件からは紹介できません。案件を再開してから紹介してください。")
    reach = delivery(supporter)
    if not reach.can_send:
        raise TransitionRefused(f"{supporter.name}さんには紹介を送れません。{reach.how}")
    already = TransitionRefused(f"{supporter.name}さんにはこの案件をすでに紹介しています。")
    if case.referrals.filter(supporter=supporter).exists():
        raise already
    try:
        with transaction.atomic():
            referral = Referral.objects.start(case=case, supporter=supporter, actor=actor)
    except IntegrityError:  # the other submit referred first (SQLite takes no row locks)
        raise already from None
    subject = f"【支援者リスト】{case.organisation.name}から相談のご紹介があります"
    context = {"referral": referral, "case": case, "entry": entry, "url": inbox_url}
    if reach.by_mail:
        claim = directory.issue_claim_link(supporter=supporter, origin=ClaimLink.Origin.REFERRAL, by=actor)
        context.update(url=answer_url(referral), claim_url=directory.claim_url(claim), claim=claim, by_mail=True)
        to = supporter.entry_address
    else:
        to = supporter.user.email
    queue_mail(subject, render_to_string("referrals/email/referred.txt", context), [to])
    return referral


@transaction.atomic
def record_move(
    *,
    referral: Referral,
    to: str,
    actor,
    role: str,
    reason: str = "",
    on: datetime.date | None = None,
    case_url: str = "",
) -> ReferralEvent:
    """Move a referral on; the organisation hears by e-mail when the expert answers."""
    event = referral.move(to, actor=actor, role=role, reason=reason, on=on)
    organisation = referral.case.organisation
    if role == EXPERT and organisation.contact_email:
        body = render_to_string("referrals/email/moved.txt", {"event": event, "referral": referral, "url": case_url})
        subject = f"【支援者リスト】紹介の状況が「{event.get_to_status_display()}」になりました"
        queue_mail(subject, body, [organisation.contact_email])
    return event
