"""Which directory roles a user holds, for the kernel's access rules (config/access.py)."""

from __future__ import annotations

from config.access import Role


def entry_expert(request, **_) -> set[Role]:
    """An account with a directory entry (applied online or claimed) is its expert."""
    return {Role.ENTRY_EXPERT} if request.user.supporter_entries.exists() else set()


def published_expert(request, **_) -> set[Role]:
    """The expert of an entry that is listed now (what starting an assessment needs)."""
    from .models import Supporter

    return {Role.ENTRY_EXPERT} if Supporter.objects.published().filter(user=request.user).exists() else set()
