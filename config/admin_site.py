"""The admin site: staff only, and only after a second factor (TOTP).

Logging in happens on the site's own accessible pages (/accounts/login/ and
/accounts/two-factor/…); the admin only checks the result.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffAdminSite(OTPAdminSite):
    site_header = "セキュリティ対策支援者リスト 管理"
    site_title = "支援者リスト管理"
    index_title = "管理メニュー"

    def __init__(self, name="admin"):
        super().__init__(name)

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
