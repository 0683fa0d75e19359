"""What the directory offers in the site menu, where its roles start, and staff's waiting work
(registered with the kernel: config/navigation.py, docs/decisions/0700)."""

from __future__ import annotations

from django.db.models import Exists

from config.access import Role
from config.navigation import (
    STAFF_ACCOUNT,
    MenuItem,
    StaffTask,
    StartPage,
    register_menu_item,
    register_role_probe,
    register_staff_task,
    register_start_page,
)

# Roles with a page of their own elsewhere: マイページ is not their place unless they also have an entry.
OTHER_WORK = {Role.STAFF, STAFF_ACCOUNT, Role.COMPANY_MEMBER, Role.ORGANISATION_MEMBER}


def _everyone(held) -> bool:
    return True


def _may_apply(held) -> bool:
    """Not listed, not staff, not there for other work: someone who might become a listed expert."""
    return not held & {Role.ENTRY_EXPERT, *OTHER_WORK}


def _own_page(held) -> bool:
    return Role.ENTRY_EXPERT in held or (Role.SIGNED_IN in held and not held & OTHER_WORK)


def _staff(held) -> bool:
    return bool(held & {Role.STAFF, STAFF_ACCOUNT})


def _has_entry(user_pk):
    from .models import Supporter

    return Exists(Supporter.objects.filter(user_id=user_pk))


def _pending_applications() -> int:
    from .models import Supporter

    return Supporter.objects.filter(status=Supporter.Status.PENDING).count()


def _pending_changes() -> int:
    from .models import ChangeRequest

    return ChangeRequest.objects.pending().count()


def _unclaimed_entries() -> int:
    """Live entries no account keeps: their experts can be invited to claim them (docs/decisions/0710)."""
    from .models import Supporter

    return Supporter.objects.live().filter(user__isnull=True).count()


def register() -> None:
    register_role_probe(Role.ENTRY_EXPERT, _has_entry)
    # The guided search is a way of finding an expert: its pages mark 専門家を探す as current.
    finding = ("supporters:list", "supporters:detail", "supporters:guide", "supporters:guide-step")
    finding += ("supporters:guide-urgent",)
    register_menu_item(MenuItem("専門家を探す", "supporters:list", 10, _everyone, finding))
    register_menu_item(MenuItem("使い方", "supporters:help", 30, _everyone))
    register_menu_item(MenuItem("数字で見る", "supporters:stats", 35, _everyone))
    register_menu_item(MenuItem("掲載を希望する方へ", "supporters:for-experts", 40, _may_apply))
    register_menu_item(
        MenuItem(
            "マイページ", "supporters:mine", 50, _own_page, ("supporters:mine", "supporters:apply", "supporters:edit")
        )
    )
    register_menu_item(
        MenuItem("審査待ち一覧", "admin:supporters_review_queue", 80, _staff, ("admin:supporters_review_queue",))
    )
    register_start_page(StartPage(Role.STAFF, "admin:supporters_review_queue", 10))
    register_start_page(StartPage(STAFF_ACCOUNT, "admin:supporters_review_queue", 11))
    register_start_page(StartPage(Role.ENTRY_EXPERT, "supporters:mine", 30))
    register_start_page(StartPage(Role.SIGNED_IN, "supporters:mine", 100))
    permission = "supporters.change_supporter"
    register_staff_task(
        StaffTask("新規の掲載申請", "admin:supporters_review_queue", _pending_applications, 10, permission)
    )
    register_staff_task(
        StaffTask("掲載内容の変更申請", "admin:supporters_review_queue", _pending_changes, 20, permission)
    )
    register_staff_task(
        StaffTask(
            "アカウント未連携の登録",
            "admin:supporters_supporter_changelist",
            _unclaimed_entries,
            30,
            permission,
            query="?account=unclaimed",
        )
    )
