"""Workflows that span a case, its referrals and e-mail."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from config.mail import queue_mail
from config.transitions import TransitionRefused

from .models import (
    EXPERT,
    Case,
    Referral,
    ReferralEvent,
    ShortlistEntry,
    delivery,
)


@transaction.atomic
def refer(*, entry: ShortlistEntry, actor, inbox_url: str) -> Referral:
    """Refer a shortlisted expert: the referral, its first event, the case
    state and an e-mail to the expert's account (no company details)."""
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
    body = render_to_string(
        "referrals/email/referred.txt",
        {"referral": referral, "case": case, "entry": entry, "url": inbox_url},
    )
    queue_mail(f"【支援者リスト】{case.organisation.name}から相談のご紹介があります", body, [supporter.user.email])
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
