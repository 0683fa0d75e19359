"""Which assessment roles a user holds, for the kernel's access rules (config/access.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from config.access import Role

from .models import Assessment, Company

NOT_AN_EXPERT = (
    "専門家としてのアセスメントは、支援者リストに掲載中の専門家の方が使います。"
    "企業として自社のアセスメントを始める場合は、アセスメントの一覧から「自社のアセスメントを始める」に進んでください。"
)


def participant(request, pk, **_) -> set[Role]:
    """A user of the assessment's company, or its assigned expert (one query)."""
    members = Company.members.through.objects.filter(company_id=OuterRef("company_id"), user_id=request.user.pk)
    row = (
        Assessment.objects.filter(pk=pk)
        .annotate(is_member=Exists(members))
        .values_list("is_member", "expert__user_id")
        .first()
    )
    if row is None:
        return set()
    is_member, expert_user = row
    held = {Role.COMPANY_MEMBER} if is_member else set()
    if expert_user is not None and expert_user == request.user.pk:
        held.add(Role.ASSIGNED_EXPERT)
    return held


def company_member(request, pk, **_) -> set[Role]:
    """A user of the company ``pk``."""
    return {Role.COMPANY_MEMBER} if Company.objects.filter(pk=pk, members=request.user).exists() else set()
