"""Accounts: sign up, then verify the address by a signed link.

Every role starts here (experts, company users, support-organisation staff);
log in, log out and password reset are Django's own views (config/urls.py),
the second factor is config/two_factor.py.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .access import Role, grant_access
from .auth import get_user_by_email, username_for
from .forms import NaturalMessages
from .mail import send_after_commit
from .ratelimit import limit

# Unchanged since the module moved from supporters/: links already mailed keep working.
SALT = "supporters.accounts.verify"
MAX_AGE = 60 * 60 * 24 * 3  # three days


PASSWORD_MISMATCH = "確認用に入力したパスワードが1回目と違います。同じパスワードを2回入力してください。"


class NaturalPasswords(NaturalMessages):
    """Django's password fields with the site's own labels, hints and messages."""

    error_messages = {
        "password_mismatch": PASSWORD_MISMATCH,
        "password_incorrect": "いまのパスワードが正しくありません。もう一度入力してください。",
    }
    LABELS = {
        "password1": ("パスワード", None),
        "new_password1": ("新しいパスワード", None),
        "password2": ("パスワード(確認のため、もう一度)", "1回目と同じパスワードを入力してください。"),
        "new_password2": ("新しいパスワード(確認のため、もう一度)", "1回目と同じパスワードを入力してください。"),
        "old_password": ("いまのパスワード", None),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in self.LABELS.items():
            if name in self.fields:
                field = self.fields[name]
                field.label = label
                if help_text:
                    field.help_text = help_text
                field.error_messages["required"] = f"{label.split('(')[0]}を入力してください。"


class PasswordChangeForm(NaturalPasswords, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(NaturalPasswords, auth_forms.SetPasswordForm):
    pass


def _email_field(help_text: str, max_length: int = 254) -> forms.EmailField:
    return forms.EmailField(
        label="メールアドレス",
        max_length=max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=help_text,
    )


class PasswordResetForm(NaturalMessages, auth_forms.PasswordResetForm):
    email = _email_field("アカウント登録に使ったメールアドレス")


class SignupForm(NaturalPasswords, auth_forms.BaseUserCreationForm):
    """A new account: the e-mail address is the user name."""

    email = _email_field("ログインとお知らせに使います。公開はされません。", max_length=150)

    class Meta:
        model = get_user_model()
        fields = ("email",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("usable_password", None)

    def clean_email(self):
        return username_for(self.cleaned_data["email"])

    @property
    def existing_user(self):
        return get_user_by_email(self.cleaned_data["email"])

    def validate_unique(self):
        # A taken address is not an error on the page (that would reveal who
        # has an account); the view mails its owner instead.
        pass

    def _post_clean(self):
        # The user name is the address; set it before the model validates.
        if "email" in getattr(self, "cleaned_data", {}):
            self.instance.username = self.cleaned_data["email"]
        super()._post_clean()

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.email = self.cleaned_data["email"]
        # Nobody signs up as staff, and nobody logs in before verifying.
        user.is_staff = user.is_superuser = False
        user.is_active = False
        if commit:
            user.save()
        return user


def make_token(user) -> str:
    return signing.dumps(user.pk, salt=SALT)


def _next(request) -> str:
    """Where the person was going (e.g. the application form), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _verify_url(request, user, next_url: str) -> str:
    url = request.build_absolute_uri(reverse("verify", args=[make_token(user)]))
    return url + ("?" + urlencode({"next": next_url}) if next_url else "")


def _mail(request, to: str, template: str, subject: str, **context) -> None:
    body = render_to_string(
        f"registration/{template}.txt",
        {
            "login_url": request.build_absolute_uri(reverse("login")),
            "reset_url": request.build_absolute_uri(reverse("password_reset")),
            **context,
        },
    )
    send_after_commit(f"[セキュリティ対策支援者リスト] {subject}", body, [to])


@grant_access(Role.PUBLIC)
@limit("signup", rate="20/h")
@transaction.atomic
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    next_url = _next(request)
    if request.method == "POST" and form.is_valid():
        existing = form.existing_user
        if existing is not None and not existing.is_active and existing.last_login is None:
            # Never verified: the owner may have lost the first link.
            url = _verify_url(request, existing, next_url)
            _mail(request, existing.email or existing.username, "signup_email", "メールアドレスの確認", verify_url=url)
        elif existing is not None:
            # Same answer as for a new address, so the page reveals nothing.
            _mail(request, existing.email or existing.username, "signup_exists_email", "アカウント登録について")
        else:
            user = form.save()
            _mail(
                request,
                user.email,
                "signup_email",
                "メールアドレスの確認",
                verify_url=_verify_url(request, user, next_url),
            )
        return render(request, "registration/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(
        request, "registration/signup.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )


@grant_access(Role.PUBLIC, personal=True)
def verify(request, token: str):
    """Activate an account that has never been used, from the mailed link."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        messages.error(request, "確認用リンクの有効期限(3日)が切れています。もう一度アカウント登録をしてください。")
        return redirect("signup")
    except signing.BadSignature:
        messages.error(request, "確認用リンクが正しくありません。メールのリンクをそのまま開いてください。")
        return redirect("signup")
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        messages.error(request, "確認用リンクが正しくありません。")
        return redirect("signup")
    # A deactivated account that was once used is not revived by an old link.
    if not user.is_active and user.last_login is None:
        user.is_active = True
        user.save(update_fields=["is_active"])
        messages.success(request, "メールアドレスを確認しました。ログインしてください。")
    elif user.is_active:
        messages.info(request, "メールアドレスは確認済みです。ログインしてください。")
    else:
        messages.error(request, "このアカウントは利用できません。IPAへお問い合わせください。")
        return redirect("login")
    next_url = _next(request)
    return redirect(reverse("login") + ("?" + urlencode({"next": next_url}) if next_url else ""))
