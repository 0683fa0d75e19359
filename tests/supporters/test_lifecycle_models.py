"""Every status transition of entries and change requests, and every refusal."""

import datetime

import pytest
from django.utils import timezone

from config.transitions import TransitionRefused
from supporters.models import ChangeRequest, Supporter, entry_values
from tests.factories import SupporterFactory, UserFactory

S = Supporter.Status
C = ChangeRequest.Status
pytestmark = pytest.mark.django_db
ALL = [s for s, _ in S.choices]


def entry(status, **kw):
    return SupporterFactory(status=status, **kw)


@pytest.mark.parametrize("start", [S.DRAFT, S.RETURNED])
def test_submit(start):
    s = entry(start)
    s.submit()
    s.refresh_from_db()
    assert s.status == S.PENDING


@pytest.mark.parametrize("start", sorted(set(ALL) - {S.DRAFT, S.RETURNED}))
def test_submit_refused(start):
    with pytest.raises(TransitionRefused, match="申請できません"):
        entry(start).submit()


def test_approve_publishes_and_refreshes_updated_on():
    s = entry(S.PENDING, updated_on=datetime.date(2020, 1, 1))
    s.approve(by=UserFactory(is_staff=True))
    s.refresh_from_db()
    assert s.status == S.PUBLISHED
    assert s.updated_on == timezone.localdate()


@pytest.mark.parametrize("start", sorted(set(ALL) - {S.PENDING}))
@pytest.mark.parametrize("method", ["approve", "return_for_changes", "reject"])
def test_decisions_refused_unless_pending(start, method):
    s = entry(start)
    with pytest.raises(TransitionRefused):
        getattr(s, method)(by=None, **({} if method == "approve" else {"reason": "理由"}))
    s.refresh_from_db()
    assert s.status == start


def test_approve_refused_when_validity_passed():
    s = entry(S.PENDING, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(TransitionRefused, match="有効期限"):
        s.approve(by=None)


@pytest.mark.parametrize("method, result", [("return_for_changes", S.RETURNED), ("reject", S.REJECTED)])
def test_return_and_reject_need_a_reason(method, result):
    s = entry(S.PENDING)
    with pytest.raises(TransitionRefused, match="理由"):
        getattr(s, method)(by=None, reason="  ")
    getattr(s, method)(by=None, reason="登録番号が確認できません")
    s.refresh_from_db()
    assert s.status == result


@pytest.mark.parametrize("start", [S.DRAFT, S.PENDING, S.RETURNED, S.PUBLISHED, S.EXPIRED])
def test_end_listing(start):
    s = entry(start)
    s.end_listing(by=None)
    s.refresh_from_db()
    assert s.status == S.ENDED


@pytest.mark.parametrize("start", [S.ENDED, S.REJECTED])
def test_end_listing_refused(start):
    with pytest.raises(TransitionRefused):
        entry(start).end_listing(by=None)


def test_end_listing_withdraws_open_change():
    s = entry(S.PUBLISHED)
    change = ChangeRequest.objects.create(supporter=s, data=entry_values(s))
    s.end_listing(by=None)
    change.refresh_from_db()
    assert change.status == C.WITHDRAWN


def test_expire():
    s = entry(S.PUBLISHED, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    s.expire()
    s.refresh_from_db()
    assert s.status == S.EXPIRED


def test_expire_refused_while_valid_or_not_published():
    with pytest.raises(TransitionRefused, match="まだ過ぎていません"):
        entry(S.PUBLISHED, valid_until=timezone.localdate()).expire()
    with pytest.raises(TransitionRefused):
        entry(S.PENDING, valid_until=datetime.date(2000, 1, 1)).expire()


def test_confirm_unchanged_only_when_published():
    s = entry(S.PUBLISHED, updated_on=datetime.date(2020, 1, 1))
    s.confirm_unchanged(by=None)
    s.refresh_from_db()
    assert s.updated_on == timezone.localdate()
    with pytest.raises(TransitionRefused):
        entry(S.PENDING).confirm_unchanged(by=None)


def test_registration_number_freed_by_rejected_or_ended_entries():
    entry(S.REJECTED, registration_no="111111")
    entry(S.ENDED, registration_no="111111")
    entry(S.PENDING, registration_no="111111")
    assert Supporter.objects.live().filter(registration_no="111111").count() == 1


# Change requests ---------------------------------------------------------


def change_for(s, **values):
    data = entry_values(s)
    data.update(values)
    return ChangeRequest.objects.create(supporter=s, data=data)


def test_change_leaves_entry_untouched_until_approved():
    s = entry(S.PUBLISHED, self_pr="旧PR", themes=("policy",))
    change = change_for(s, self_pr="新PR", themes=["cloud"])
    s.refresh_from_db()
    assert s.self_pr == "旧PR"
    assert [label for label, *_ in change.diff()] == ["自己PR", "支援可能な指導テーマ"]
    change.approve(by=None)
    s.refresh_from_db()
    assert s.self_pr == "新PR"
    assert s.themes.ordered() == ["cloud"]
    assert change.status == C.APPROVED and change.decided_at


def test_approving_a_change_restores_an_expired_entry():
    s = entry(S.EXPIRED, valid_until=datetime.date(2020, 1, 1))
    new_date = timezone.localdate() + datetime.timedelta(days=400)
    change = change_for(s, valid_until=new_date.isoformat())
    change.approve(by=None)
    s.refresh_from_db()
    assert (s.status, s.valid_until) == (S.PUBLISHED, new_date)


def test_change_on_expired_entry_without_new_date_is_refused():
    s = entry(S.EXPIRED, valid_until=datetime.date(2020, 1, 1))
    change = change_for(s, self_pr="x")
    with pytest.raises(TransitionRefused, match="有効期限"):
        change.approve(by=None)
    s.refresh_from_db()
    assert s.status == S.EXPIRED


def test_change_on_ended_entry_is_refused():
    s = entry(S.PUBLISHED)
    change = change_for(s, self_pr="x")
    Supporter.objects.filter(pk=s.pk).update(status=S.ENDED)
    with pytest.raises(TransitionRefused):
        change.approve(by=None)


def test_change_return_resubmit_reject_withdraw():
    s = entry(S.PUBLISHED)
    change = change_for(s, self_pr="一回目")
    with pytest.raises(TransitionRefused, match="理由"):
        change.return_for_changes(by=None, reason="")
    change.return_for_changes(by=None, reason="具体的に")
    assert change.status == C.RETURNED
    with pytest.raises(TransitionRefused):
        change.approve(by=None)
    change.resubmit(data={**change.data, "self_pr": "二回目"})
    assert change.status == C.PENDING and change.data["self_pr"] == "二回目"
    with pytest.raises(TransitionRefused):
        change.resubmit(data=change.data)
    change.reject(by=None, reason="不適切な内容")
    assert change.status == C.REJECTED
    for method in ("approve", "withdraw"):
        with pytest.raises(TransitionRefused):
            getattr(change, method)(by=None)
    other = change_for(s)
    other.withdraw()
    assert other.status == C.WITHDRAWN


def test_only_one_open_change_per_entry():
    from django.db import IntegrityError

    s = entry(S.PUBLISHED)
    change_for(s)
    with pytest.raises(IntegrityError):
        change_for(s)


def test_history_records_who_approved():
    staff = UserFactory(is_staff=True)
    s = entry(S.PENDING)
    s.approve(by=staff)
    latest = s.history.first()
    assert latest.status == S.PUBLISHED
    assert latest.history_user == staff
