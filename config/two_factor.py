"""Second factor (TOTP) for staff: set up a device, then verify each login."""

import base64

import segno
from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import Role, grant_access
from .forms import Form
from .ratelimit import limit


class TokenForm(Form):
    token = forms.CharField(
        label="確認コード(6桁)",
        min_length=6,
        max_length=6,
        help_text="認証アプリに表示されている6桁の数字を入力してください。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
        error_messages={
            "required": "確認コードを入力してください。",
            "min_length": "確認コードは6桁です。",
            "max_length": "確認コードは6桁です。",
        },
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError("確認コードが正しくないか、有効期限が切れています。")
        return token


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("start")


def _secret_groups(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@grant_access(Role.SIGNED_IN)
@limit("two-factor", rate="10/m")
def setup(request):
    """Register an authenticator app: QR code and the secret as text."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed:
        return redirect(reverse("two-factor-verify") + f"?next={_next_url(request)}")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "認証アプリ"})
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return redirect(_next_url(request))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "secret": _secret_groups(device),
            "next": _next_url(request),
        },
    )


@grant_access(Role.SIGNED_IN)
@limit("two-factor", rate="10/m")
def verify(request):
    """Ask for the current code; on success the session is verified."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(reverse("two-factor-setup") + f"?next={_next_url(request)}")
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})
