"""No Django default wording anywhere: every form of the site, the account forms,
the list's filters and the admin's forms give natural, per-field messages
(config/forms.py), and the admin's notices are the site's own words."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.forms import BaseForm
from django.test import RequestFactory
from django.utils.translation import trans_real

from config import accounts, auth
from config.admin_site import natural_notice
from config.forms import NaturalMessages, naturalise
from supporters.filters import SupporterFilter
from tests.factories import SupporterFactory, UserFactory, login_staff, make_staff

PACKAGES = ["config", "supporters", "assessments", "seminars"]
_PLACEHOLDER = r"(%\(\w+\)[sdr]|%[sd]|\{\w*\})"


def _django_wording() -> list[re.Pattern]:
    """Every Japanese message of Django and the installed libraries, as a pattern (placeholders match anything)."""
    patterns = []
    catalog = trans_real.translation("ja")._catalog.items()
    for text in {v for _, v in catalog if isinstance(v, str) and len(v) >= 4}:
        parts = re.split(_PLACEHOLDER, text)
        if len("".join(p for p in parts if not re.fullmatch(_PLACEHOLDER, p)).replace(" ", "")) < 6:
            continue  # "%s %s" and the like would match any sentence
        regex = "".join(".+?" if re.fullmatch(_PLACEHOLDER, p) else re.escape(p) for p in parts)
        patterns.append(re.compile(regex + r"\Z", re.S))
    return patterns


DJANGO_WORDING = _django_wording()


def django_wording(messages) -> list[str]:
    return [m for m in map(str, messages) if any(p.match(m.strip()) for p in DJANGO_WORDING)]


def test_the_detector_knows_django_defaults():
    assert django_wording(["このフィールドは必須です。", "正しく選択してください。 x は候補にありません。"])
    assert not django_wording(["氏名を入力してください。", "支援料金を選んでください。"])


def _project_form_classes() -> list[type]:
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" in info.name or info.name.endswith((".wsgi", ".settings", ".settings_test")):
                continue
            importlib.import_module(info.name)
    found, queue = [], list(BaseForm.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PACKAGES:
            found.append(cls)
    return found


def test_every_form_of_the_site_uses_natural_messages():
    classes = _project_form_classes()
    assert len(classes) > 25
    plain = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, NaturalMessages))
    assert plain == [], "forms without config.forms.NaturalMessages (use config.forms.Form/ModelForm)"


BAD_VALUES = ["", "x" * 5000, "abc", "-5", "99999999999", "2028/2/30", "\x00", ["not-a-choice"], "not-a-choice"]


def _messages_of(field) -> list[str]:
    messages = []
    for value in BAD_VALUES:
        try:
            field.clean(value)
        except ValidationError as error:
            messages.extend(error.messages)
        except (TypeError, ValueError, AttributeError):
            pass  # a value this kind of field never receives from a browser
    return messages


def _checked_fields(form_class) -> list[tuple[str, forms.Field]]:
    import copy

    fields = []
    for name, field in form_class.base_fields.items():
        field = copy.deepcopy(field)
        field.required = True
        if isinstance(field, forms.CharField):
            field.max_length = field.max_length or 100
            field.validators.append(__import__("django.core.validators").core.validators.MaxLengthValidator(100))
        naturalise(field, name)
        fields.append((name, field))
    return fields


@pytest.mark.django_db
def test_no_field_of_any_form_speaks_djangos_words():
    leaks = []
    for form_class in _project_form_classes():
        for name, field in _checked_fields(form_class):
            for message in django_wording(_messages_of(field)):
                leaks.append(f"{form_class.__qualname__}.{name}: {message}")
    assert leaks == []


def test_messages_name_the_field_and_say_what_to_do():
    class Sample(NaturalMessages, forms.Form):
        name = forms.CharField(label="氏名", max_length=5)
        email = forms.EmailField(label="メールアドレス(任意)", required=False)
        employees = forms.IntegerField(label="従業員数", min_value=1)
        fee = forms.ChoiceField(label="支援料金(1回/2時間あたり)", choices=[("free", "無償")])
        themes = forms.MultipleChoiceField(label="指導テーマ", choices=[("policy", "規程整備")])
        consent = forms.BooleanField(label="同意する")

    form = Sample({"name": "長すぎる名前です", "email": "x", "employees": "0", "fee": "gold", "themes": []})
    assert form.errors == {
        "name": ["氏名は5文字以内で入力してください(いま8文字です)。"],
        "email": ["メールアドレスは「name@example.jp」のような形で入力してください。"],
        "employees": ["従業員数は1以上にしてください。"],
        "fee": ["支援料金は、表示されている選択肢から選んでください。"],
        "themes": ["指導テーマを1つ以上選んでください。"],
        "consent": ["同意するにチェックを入れてください。"],
    }
    assert Sample({"employees": "たくさん"}).errors["employees"] == ["従業員数は数字(整数)で入力してください。"]


def test_messages_a_form_sets_itself_are_kept():
    class Own(NaturalMessages, forms.Form):
        token = forms.CharField(
            label="確認コード", min_length=6, error_messages={"min_length": "確認コードは6桁です。"}
        )

    assert Own({"token": "12"}).errors["token"] == ["確認コードは6桁です。"]


@pytest.mark.django_db
def test_the_lists_filters_speak_naturally():
    filterset = SupporterFilter({"q": "あ" * 300, "sort": "nope", "prefecture": "atlantis"})
    assert not filterset.is_valid()
    messages = [m for errors in filterset.errors.values() for m in errors]
    assert messages and django_wording(messages) == []


@pytest.mark.django_db
def test_account_forms_and_password_rules_speak_naturally():
    user = UserFactory(email="someone@example.jp")
    signup = accounts.SignupForm({"email": "bad", "password1": "12345678", "password2": "1234"})
    change = accounts.PasswordChangeForm(user, {"old_password": "wrong", "new_password1": "", "new_password2": ""})
    reset = accounts.PasswordResetForm({"email": ""})
    new = accounts.SetPasswordForm(user, {"new_password1": "someone@example.jp", "new_password2": "other"})
    login = auth.EmailAuthenticationForm(None, {"username": "", "password": ""})
    messages = []
    for form in (signup, change, reset, new, login):
        assert not form.is_valid()
        messages += [m for errors in form.errors.values() for m in errors]
        messages += [str(f.help_text) for f in form]
    for password in ("1234", "password", "12345678901", "someone@example.jp"):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user)
        messages += refused.value.messages
    assert django_wording(messages) == []
    assert "確認用に入力したパスワードが1回目と違います。同じパスワードを2回入力してください。" in messages
    assert "いまのパスワードが正しくありません。もう一度入力してください。" in messages
    assert "パスワードが短すぎます。8文字以上にしてください。" in messages


@pytest.mark.django_db
def test_every_admin_form_speaks_naturally():
    staff = make_staff()
    staff.is_superuser = True  # every form the admin can show
    request = RequestFactory().get("/admin/")
    request.user = staff
    leaks, checked = [], 0
    for model, model_admin in admin.site._registry.items():
        classes = [model_admin.get_form(request)]
        classes += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form_class in classes:
            assert issubclass(form_class, NaturalMessages), model
            for name, field in _checked_fields(form_class):
                leaks += [f"{model.__name__}.{name}: {m}" for m in django_wording(_messages_of(field))]
                checked += 1
    assert checked > 50 and leaks == []


def test_admin_notices_are_rewritten_in_the_sites_words():
    from django.utils.html import format_html
    from django.utils.translation import gettext

    changed = format_html(gettext("The {name} “{obj}” was changed successfully."), name="FAQ", obj="質問1")
    assert natural_notice(changed) == "FAQ「質問1」の変更を保存しました。"
    deleted = gettext("Successfully deleted %(count)d %(items)s.") % {"count": 3, "items": "FAQ"}
    assert natural_notice(deleted) == "FAQを3件削除しました。"
    assert natural_notice("登録番号 000020 の掲載を終了しました。") == "登録番号 000020 の掲載を終了しました。"


@pytest.mark.django_db
def test_saving_in_the_admin_gives_a_natural_notice(client):
    from seminars.models import FaqEntry

    entry = FaqEntry.objects.create(question="質問です", answer="回答です", is_published=True)
    login_staff(client, make_staff())
    url = f"/admin/seminars/faqentry/{entry.pk}/change/"
    page = client.get(url).content.decode()
    assert "FAQの内容を変更" in page
    data = {"question": "質問です(改)", "answer": "回答です", "is_published": "on", "order": "0", "_save": "保存"}
    response = client.post(url, data, follow=True)
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "FAQ「質問です(改)」の変更を保存しました。" in text


@pytest.mark.django_db
def test_pages_with_errors_show_no_django_wording(client):
    """Real posts to the public forms: every message on the page is the site's own."""
    SupporterFactory(registration_no="300001", hidden_fields=["email"])
    expert = UserFactory(email="e@example.jp")
    pages = [
        client.post("/supporters/300001/contact/", {"email": "bad", "message": "x" * 3000}),
        client.post("/supporters/300001/report/", {"detail": ""}),
        client.post("/accounts/signup/", {"email": "x", "password1": "1", "password2": "2"}),
        client.post("/accounts/login/", {"username": "", "password": ""}),
        client.post("/accounts/password_reset/", {"email": "not-mail"}),
        client.get("/supporters/", {"region": "nowhere", "fee": "gold"}),
    ]
    client.force_login(expert)
    pages.append(client.post("/supporters/apply/", {"registration_no": "12", "support_cases": "-1", "url": "x"}))
    pages.append(client.post("/accounts/password_change/", {"old_password": "x"}))
    for response in pages:
        assert response.status_code in (200, 400)
        errors = re.findall(r'<ul class="field-errors"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
        messages = [re.sub(r"<[^>]+>", "", item).strip() for block in errors for item in block.split("</li>") if item]
        messages = [m for m in messages if m]
        assert messages, response.request
        assert django_wording(messages) == [], response.request
