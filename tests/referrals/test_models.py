"""Referral states, shortlist order and case filters, on the models."""

import datetime

import pytest

from config.transitions import TransitionRefused
from supporters.referrals.models import (
    EXPERT,
    ORGANISATION,
    Case,
    Referral,
    ReferralStatus,
    fee_bands_within,
)

from .factories import CaseFactory, ExpertFactory, ReferralFactory, member_of

pytestmark = pytest.mark.django_db
S = ReferralStatus


def test_only_the_expert_answers_a_referral():
    referral = ReferralFactory()
    assert referral.allowed_moves(ORGANISATION) == [S.FAILED]
    assert referral.allowed_moves(EXPERT) == [S.ACCEPTED, S.DECLINED]
    with pytest.raises(TransitionRefused, match="「紹介済」から「受諾」には変更できません"):
        referral.move(S.ACCEPTED, actor=None, role=ORGANISATION)


def test_full_path_keeps_history_and_reveals_company_after_acceptance():
    referral = ReferralFactory()
    assert not referral.company_visible
    referral.move(S.ACCEPTED, actor=referral.supporter.user, role=EXPERT)
    assert referral.company_visible
    referral.move(S.MET, actor=None, role=ORGANISATION, on=datetime.date(2026, 1, 5))
    referral.move(S.STARTED, actor=referral.supporter.user, role=EXPERT)
    referral.move(S.COMPLETED, actor=None, role=ORGANISATION)
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    history = [(e.from_status, e.to_status, e.role) for e in referral.events.all()]
    assert history == [
        (S.REFERRED, S.ACCEPTED, EXPERT),
        (S.ACCEPTED, S.MET, ORGANISATION),
        (S.MET, S.STARTED, EXPERT),
        (S.STARTED, S.COMPLETED, ORGANISATION),
    ]
    assert referral.events.get(to_status=S.MET).on == datetime.date(2026, 1, 5)
    assert referral.allowed_moves(EXPERT) == referral.allowed_moves(ORGANISATION) == []


@pytest.mark.parametrize("start", [S.DECLINED, S.COMPLETED, S.FAILED])
def test_finished_referrals_refuse_every_move(start):
    referral = ReferralFactory(status=start)
    for to in S.values:
        for role in (EXPERT, ORGANISATION):
            with pytest.raises(TransitionRefused):
                referral.move(to, actor=None, role=role, reason="x")
    assert not referral.events.exists()


def test_no_skipping_steps_and_failure_needs_a_reason():
    referral = ReferralFactory(status=S.ACCEPTED)
    with pytest.raises(TransitionRefused):
        referral.move(S.STARTED, actor=None, role=ORGANISATION)
    with pytest.raises(TransitionRefused, match="理由"):
        referral.move(S.FAILED, actor=None, role=EXPERT, reason="  ")
    referral.move(S.FAILED, actor=None, role=EXPERT, reason="日程が合わない")
    assert referral.events.get().reason == "日程が合わない"
    assert referral.company_visible is False  # never accepted through move


def test_start_records_the_first_event_and_marks_the_case():
    case = CaseFactory()
    referral = Referral.objects.start(case=case, supporter=ExpertFactory(), actor=None)
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED
    assert [(e.from_status, e.to_status) for e in referral.events.all()] == [("", S.REFERRED)]


def test_case_close_and_reopen():
    case = CaseFactory()
    case.close()
    with pytest.raises(TransitionRefused):
        case.close()
    with pytest.raises(TransitionRefused):
        case.mark_referred()
    case.reopen()
    assert case.status == Case.Status.OPEN


def test_shortlist_order_add_move_remove():
    case = CaseFactory()
    a, b, c = ExpertFactory.create_batch(3)
    for s in (a, b, c):
        case.add_candidate(s)
    assert case.add_candidate(a).position == 1  # added once only
    entry_c = case.shortlist.get(supporter=c)
    case.move_candidate(entry_c, up=True)
    case.move_candidate(case.shortlist.get(supporter=a), up=True)  # already first: no change
    assert [e.supporter for e in case.shortlist.all()] == [a, c, b]
    case.remove_candidate(case.shortlist.get(supporter=a))
    assert [(e.supporter, e.position) for e in case.shortlist.all()] == [(c, 1), (b, 2)]


def test_directory_filters_from_the_case():
    case = CaseFactory(
        prefecture="hyogo", industry="finance", themes=["cloud", "policy"], forms=[], periods=["spot"], budget="10k-20k"
    )
    case.refresh_from_db()
    assert case.directory_filters() == {
        "region": ["kinki"],
        "industry": ["finance"],
        "theme": ["policy", "cloud"],
        "period": ["spot"],
        "fee": ["free", "under-10k", "10k-20k", "negotiable"],
    }
    assert fee_bands_within("negotiable") == fee_bands_within("") == []


def test_for_member_and_for_expert_scope(django_user_model):
    case = CaseFactory()
    member = member_of(case.organisation)
    outsider = member_of()
    referral = ReferralFactory(case=case)
    assert list(Case.objects.for_member(member)) == [case]
    assert not Case.objects.for_member(outsider).exists()
    assert list(Referral.objects.for_expert(referral.supporter.user)) == [referral]
    assert not Referral.objects.for_expert(outsider).exists()
