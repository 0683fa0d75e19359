"""Log in with an e-mail address.

Accounts use Django's own User; the username is the e-mail address in lower
case, so the standard auth views, forms and admin work unchanged.
"""

from axes.backends import AxesStandaloneBackend
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from .forms import NaturalMessages


def username_for(email: str) -> str:
    return (email or "").strip().lower()


def axes_username(request, credentials) -> str:
    """Lock-out counts per account whatever case the address was typed in."""
    return username_for((credentials or {}).get("username", ""))


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, for logins that come with a request.

    Only HTTP logins carry a request; Django's test client and management
    code authenticate without one, and there is no client to lock out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=username_for(username), password=password, **kwargs)


def get_user_by_email(email: str):
    User = get_user_model()
    return User.objects.filter(username=username_for(email)).first()


class EmailAuthenticationForm(NaturalMessages, AuthenticationForm):
    """The standard login form, asking for the e-mail address."""

    username = UsernameField(
        label="メールアドレス",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "メールアドレスまたはパスワードが正しくありません。",
        "inactive": "このアカウントはまだ使えません。アカウント登録のときに届いたメールのリンクを開いて、メールアドレスを確認してください。",
    }
