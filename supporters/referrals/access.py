"""Which referral roles a user holds, for the kernel's access rules (config/access.py)."""

from __future__ import annotations

from config.access import Role

from .models import Case, Membership, Referral

NOT_A_MEMBER = (
    "このページは支援機関(商工会議所・地域SECUNITYなど)の職員の方が使います。"
    "職員として利用するには、所属機関を通じてIPAに登録を依頼してください。"
)
NOT_AN_EXPERT = (
    "このページは支援者リストに掲載されている専門家の方が使います。"
    "掲載を希望する方は、マイページから登録を申請してください。"
)


def organisation_member(request, pk=None, **_) -> set[Role]:
    """A member of a support organisation; with ``pk``, of the organisation that owns that case."""
    if pk is None:
        held = Membership.objects.filter(user=request.user).exists()
    else:
        held = Case.objects.for_member(request.user).filter(pk=pk).exists()
    return {Role.ORGANISATION_MEMBER} if held else set()


def addressed_expert(request, referral_pk=None, **_) -> set[Role]:
    """An expert with an entry; with ``referral_pk``, the expert that referral is addressed to."""
    if referral_pk is None:
        held = request.user.supporter_entries.exists()
    else:
        held = Referral.objects.for_expert(request.user).filter(pk=referral_pk).exists()
    return {Role.ENTRY_EXPERT} if held else set()
