"""The admin site: staff only, and only after a second factor (TOTP).

Logging in happens on the site's own accessible pages (/accounts/login/ and
/accounts/two-factor/…); the admin only checks the result.

Every model admin registered here speaks like the rest of the site: its forms
give natural, per-field messages (config/forms.py) and its notices ("saved",
"deleted") are rewritten from Django's wording. The front page shows the work
waiting for staff, with counts (config/navigation.py).
"""

from __future__ import annotations

import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import NaturalMessages
from .navigation import staff_tasks

# Django's admin notices (English message ids) and how the site says them.
# Placeholders: {name} {obj} (str.format style) or %(name)s style, as Django writes them.
ADMIN_NOTICES = [
    (
        "The {name} “{obj}” was added successfully. You may edit it again below.",
        "{name}「{obj}」を追加しました。続けて内容を直せます。",
    ),
    (
        "The {name} “{obj}” was added successfully. You may add another {name} below.",
        "{name}「{obj}」を追加しました。続けて次の{name}を追加できます。",
    ),
    ("The {name} “{obj}” was added successfully.", "{name}「{obj}」を追加しました。"),
    (
        "The {name} “{obj}” was changed successfully. You may edit it again below.",
        "{name}「{obj}」の変更を保存しました。続けて内容を直せます。",
    ),
    (
        "The {name} “{obj}” was changed successfully. You may add another {name} below.",
        "{name}「{obj}」の変更を保存しました。続けて次の{name}を追加できます。",
    ),
    ("The {name} “{obj}” was changed successfully.", "{name}「{obj}」の変更を保存しました。"),
    ("The %(name)s “%(obj)s” was deleted successfully.", "{name}「{obj}」を削除しました。"),
    ("Successfully deleted %(count)d %(items)s.", "{items}を{count}件削除しました。"),
    (
        "Items must be selected in order to perform actions on them. No items have been changed.",
        "操作する行にチェックを入れてから、もう一度実行してください。何も変更していません。",
    ),
    ("No action selected.", "実行する操作を選んでから「実行」を押してください。"),
    (
        "%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?",
        "{name}(ID {key})は見つかりません。すでに削除された可能性があります。",
    ),
]
# The plural notice of list editing has one form per count in Japanese.
PLURAL_NOTICES = [
    (
        ("%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully."),
        "{name}を{count}件変更しました。",
    ),
]
_PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[sd]")


def _pattern(translated: str) -> re.Pattern:
    parts, last, seen = [], 0, set()
    for match in _PLACEHOLDER.finditer(translated):
        name = match.group(1) or match.group(2)
        parts.append(re.escape(translated[last : match.start()]))
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        last = match.end()
    parts.append(re.escape(translated[last:]))
    return re.compile("".join(parts) + r"\Z", re.S)


def natural_notice(message) -> str:
    """Django's admin notice ``message`` in the site's own words (other messages unchanged)."""
    text = str(message)
    candidates = [(gettext(msgid), ours) for msgid, ours in ADMIN_NOTICES]
    candidates += [(ngettext(one, many, n), ours) for (one, many), ours in PLURAL_NOTICES for n in (1, 2)]
    for translated, ours in candidates:
        match = _pattern(translated).match(text)
        if match:
            values = match.groupdict()
            if isinstance(message, SafeString):
                return mark_safe(ours.format(**values))
            return ours.format(**{k: escape(v) for k, v in values.items()})
    return message


def _natural_form(form_class):
    if issubclass(form_class, NaturalMessages):
        return form_class
    return type(form_class.__name__, (NaturalMessages, form_class), {"__module__": form_class.__module__})


class NaturalAdmin:
    """Mixed into every registered model admin: natural notices and page titles."""

    empty_value_display = "—"

    def message_user(self, request, message, *args, **kwargs):
        return super().message_user(request, natural_notice(message), *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        title = f"{self.opts.verbose_name_plural}の一覧"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def add_view(self, request, form_url="", extra_context=None):
        title = f"{self.opts.verbose_name}を追加"
        return super().add_view(request, form_url, {"title": title, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.has_change_permission(request):
            extra_context = {"title": f"{self.opts.verbose_name}の内容を変更", **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)


def naturalised(admin_class):
    """``admin_class`` with natural form messages and notices (its inlines too)."""
    attrs = {"__module__": admin_class.__module__, "form": _natural_form(admin_class.form)}
    if hasattr(admin_class, "add_form"):  # the user admin's creation form
        attrs["add_form"] = _natural_form(admin_class.add_form)
    attrs["inlines"] = [
        type(inline.__name__, (inline,), {"__module__": inline.__module__, "form": _natural_form(inline.form)})
        for inline in admin_class.inlines
    ]
    bases = (admin_class,) if issubclass(admin_class, NaturalAdmin) else (NaturalAdmin, admin_class)
    return type(admin_class.__name__, bases, attrs)


class StaffAdminSite(OTPAdminSite):
    site_header = "セキュリティ対策支援者リスト 管理"
    site_title = "支援者リスト管理"
    index_title = "管理メニュー"
    # More room for the lists at 1280 px; every model is one click away on the front page.
    enable_nav_sidebar = False

    def __init__(self, name="admin"):
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin

        return super().register(model_or_iterable, naturalised(admin_class or ModelAdmin), **options)

    def get_app_list(self, request, app_label=None):
        """Apps in the order of INSTALLED_APPS (the directory first), not alphabetical."""
        from django.apps import apps

        order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
        return sorted(super().get_app_list(request, app_label), key=lambda app: order.get(app["app_label"], 999))

    def index(self, request, extra_context=None):
        return super().index(request, {"staff_tasks": staff_tasks(request), **(extra_context or {})})

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(target, reverse("login"))
        if not user.is_staff:
            raise PermissionDenied("管理画面はIPA職員のみ利用できます。")
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect(reverse("two-factor-setup") + "?" + urlencode({"next": target}))
        return redirect(reverse("two-factor-verify") + "?" + urlencode({"next": target}))
