"""Accounts: sign up, then verify the address by a signed link.

Every role starts here (experts, company users, support-organisation staff);
log in, log out and password reset are Django's own views (config/urls.py;
the reset mail goes through the outbox and both the reset and the sign-up are
rate-limited per client and per typed address), the second factor is
config/two_factor.py.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .access import Role, grant_access
from .auth import username_for
from .forms import Form, NaturalMessages
from .mail import queue_mail
from .ratelimit import TOO_MANY, limit, over_limit

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
    # A path of this site only: anything else (a still-encoded path, a bare word) would be
    # taken by redirect() for a view name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
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
    queue_mail(f"[セキュリティ対策支援者リスト] {subject}", body, [to])


def is_unverified(user) -> bool:
    """Signed up but never verified: nobody has proved they own the address yet."""
    return not user.is_active and user.last_login is None


@transaction.atomic
def _sign_up(request, form: SignupForm, next_url: str) -> None:
    """Create the account, or mail the owner of an existing one; the page looks the same either way."""
    User = get_user_model()
    email, password = form.cleaned_data["email"], form.cleaned_data["password1"]
    user = User.objects.select_for_update().filter(username=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # The same address signed up a moment ago (a double submit): carry on with that account.
            user = User.objects.select_for_update().get(username=email)
    if not is_unverified(user):
        # Same answer as for a new address, so the page reveals nothing.
        _mail(request, user.email or user.username, "signup_exists_email", "アカウント登録について")
        return
    # Whoever signed up last chooses the password; only the mailbox owner can
    # use it, by typing it on the page the link opens (verify below). An
    # earlier sign-up by someone else thus never keeps the account.
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    _mail(request, email, "signup_email", "メールアドレスの確認", verify_url=_verify_url(request, user, next_url))


@grant_access(Role.PUBLIC)
@limit("signup", rate="20/h")
def signup(request):
    next_url = _next(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        if not over_limit(request, "signup", rate="3/h", value=form.cleaned_data["email"]):
            _sign_up(request, form, next_url)
            return render(request, "registration/signup_done.html", {"email": form.cleaned_data["email"]})
        form.add_error(None, TOO_MANY)
        status = 429
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


class VerifyForm(Form):
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="アカウント登録のときに決めたパスワードです。",
        error_messages={"required": "パスワードを入力してください。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "パスワードが登録のときのものと違います。このメールに心当たりがない場合や、"
                "パスワードを忘れた場合は、アカウント登録をやり直してください。"
            )
        return password


@grant_access(Role.PUBLIC, personal=True)
@limit("verify", rate="10/m")
def verify(request, token: str):
    """The mailed link: the owner of the address types the sign-up password, and the account opens."""
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
    if user.is_active:
        messages.info(request, "メールアドレスは確認済みです。ログインしてください。")
        return redirect("login")
    if not is_unverified(user):
        # A deactivated account that was once used is not revived by an old link.
        messages.error(request, "このアカウントは利用できません。IPAへお問い合わせください。")
        return redirect("login")
    form = VerifyForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        user.is_active = True
        user.save(update_fields=["is_active"])
        # A new session: none started before the owner verified is kept.
        login(request, user, backend="config.auth.EmailBackend")
        messages.success(request, "メールアドレスを確認し、アカウントを有効にしました。")
        return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
    return render(
        request, "registration/verify.html", {"form": form, "email": user.email}, status=400 if form.errors else 200
    )


# Password reset: Django's views, with the outbox and the limits -----------------


class PasswordResetForm(NaturalMessages, auth_forms.PasswordResetForm):
    email = _email_field("アカウント登録に使ったメールアドレス")

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        queue_mail(
            render_to_string(subject_template_name, context), render_to_string(email_template_name, context), [to_email]
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Per client (the URL's ``limit``) and per typed address: the reset mail goes to the account's owner, often."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if over_limit(self.request, "password-reset", rate="3/h", value=form.cleaned_data["email"]):
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
