"""Forms of the registration lifecycle: one entry form for applications and
change requests, the contact relay and staff decisions."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from . import validation
from .models import ENTRY_FIELDS, ContactMessage, Supporter


class EntryRules(forms.ModelForm):
    """What every entrance of an entry's values shares with the import (supporters/validation.py):
    each value normalised the same way, the same required fields and the support area; the
    values themselves are checked by the model fields' validators when the form validates."""

    url = forms.URLField(
        label="参考URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )

    # A text box, not type=date: browsers order and type date segments by
    # their own locale, which is hard to use by keyboard and screen reader.
    valid_until = forms.DateField(
        label="登録有効期限",
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="登録証に記載の有効期限(例: 2028-03-31 または 2028/03/31)",
        error_messages={"invalid": "登録有効期限は 2028-03-31 または 2028/03/31 の形で入力してください。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in validation.REQUIRED_FIELDS:
            if name in self.fields:
                self.fields[name].required = True
        self.fields["registration_no"].error_messages["required"] = "登録番号を入力してください。"
        self.fields["registration_no"].error_messages["max_length"] = "登録番号は6桁の数字で入力してください。"

    def clean_registration_no(self):
        return validation.registration_no(self.cleaned_data["registration_no"])

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if name != "registration_no" and name in self.fields and isinstance(value, str):
                cleaned[name] = validation.normalise(name, value)
        if not (cleaned.get("nationwide") or cleaned.get("regions") or cleaned.get("prefectures")):
            self.add_error("regions", validation.AREA_REQUIRED)
        return cleaned


class SupporterAdminForm(EntryRules):
    """Staff edit an entry in the admin with the same rules (the private contact address too)."""

    class Meta:
        model = Supporter
        fields = ["registration_no", *ENTRY_FIELDS, "contact_email", "updated_on"]


class SupporterForm(EntryRules):
    """The application and the change request: the same fields and checks."""

    published_fields = forms.MultipleChoiceField(
        label="公開する項目",
        required=False,
        choices=list(Supporter.HIDEABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="氏名・登録番号は常に公開されます。チェックを外した項目は一覧・個票・ダウンロードのどこにも表示されません。"
        "公開用メールアドレスはチェックした場合だけ公開されます(公開しない場合は、お問い合わせフォーム経由で連絡が届きます)。",
    )

    SECTIONS = [
        (
            "基本情報",
            [
                "registration_no",
                "valid_until",
                "name",
                "name_kana",
                "email",
                "residence_prefecture",
                "residence_city",
                "affiliation",
                "organization",
                "qualifications",
                "groups",
                "self_pr",
                "url",
            ],
        ),
        (
            "支援実績",
            ["experience", "support_experience", "support_cases", "support_years", "support_description", "industries"],
        ),
        ("支援の条件", ["nationwide", "regions", "prefectures", "themes", "periods", "fee", "first_free", "forms"]),
        ("公開の設定", ["published_fields"]),
    ]

    class Meta:
        model = Supporter
        fields = [
            "registration_no",
            "valid_until",
            "name",
            "name_kana",
            "email",
            "residence_prefecture",
            "residence_city",
            "affiliation",
            "organization",
            "qualifications",
            "groups",
            "self_pr",
            "url",
            "experience",
            "support_experience",
            "support_cases",
            "support_years",
            "support_description",
            "industries",
            "nationwide",
            "regions",
            "prefectures",
            "themes",
            "periods",
            "fee",
            "first_free",
            "forms",
        ]
        labels = {"registration_no": "登録番号(情報処理安全確保支援士)"}
        help_texts = {
            "registration_no": "6桁の数字(例: 012345)",
            "name_kana": "カタカナ(ひらがなで入力してもカタカナに直します)",
            "email": "公開する場合に一覧・個票に表示するアドレス。ログイン用とは別でもかまいません。",
            "nationwide": "全国に対応できる場合はチェックしてください。",
            "support_cases": "これまでに支援した企業の数",
            "support_years": "企業支援に携わった年数",
        }
        widgets = {
            "registration_no": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "self_pr": forms.Textarea(attrs={"rows": 5}),
            "support_description": forms.Textarea(attrs={"rows": 5}),
            "support_experience": forms.RadioSelect,
        }

    def __init__(self, *args, change: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_experience"].choices = list(Supporter.SupportExperience.choices)
        if change:
            # The RISS number identifies the entry; a change cannot move it.
            self.fields["registration_no"].disabled = True
        hidden = self.instance.hidden_fields if self.instance.pk else ["email"]
        self.initial.setdefault(
            "published_fields", [key for key in Supporter.HIDEABLE_FIELDS if key not in (hidden or [])]
        )

    def sections(self):
        """(heading, bound fields) in the order the form shows them."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_registration_no(self):
        number = super().clean_registration_no()
        # The model's validator gives the format's message; only well-formed numbers can be taken.
        if not number.isdigit() or len(number) != 6:
            return number
        taken = Supporter.objects.live().filter(registration_no=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                "この登録番号はすでに登録されています。ご自身の登録であればIPAへお問い合わせください。"
            )
        return number

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if value and value < timezone.localdate():
            raise forms.ValidationError("登録有効期限が過ぎています。更新後の有効期限を入力してください。")
        return value

    def clean(self):
        cleaned = super().clean()
        if "published_fields" in cleaned:
            published = set(cleaned["published_fields"])
            self.instance.hidden_fields = [key for key in Supporter.HIDEABLE_FIELDS if key not in published]
        return cleaned


class ContactForm(forms.ModelForm):
    """A message to an expert whose address is not published."""

    consent = forms.BooleanField(
        label="入力した内容を専門家へ送ること、迷惑行為への対応のためIPAが90日間保存することに同意します",
        error_messages={"required": "送信には同意が必要です。"},
    )
    # Left empty by people; bots that fill every field reveal themselves.
    website = forms.CharField(label="この欄は入力しないでください", required=False)

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "organization", "message"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name", "maxlength": 100}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization", "maxlength": 200}),
            "message": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        }
        help_texts = {
            "email": "専門家からの返信先です。専門家にのみ伝わります。",
            "message": "2,000文字以内",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_name(self):
        return validation.text(self.cleaned_data["name"])

    def clean_organization(self):
        return validation.text(self.cleaned_data["organization"])

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class DecisionForm(forms.Form):
    """Staff's decision on an application or change request."""

    ACTIONS = [
        ("approve", "承認する(掲載・反映)"),
        ("return", "差し戻す(本人が修正して再申請)"),
        ("reject", "却下する"),
    ]

    action = forms.ChoiceField(label="判断", choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="理由(差戻し・却下では必須。本人へのメールに記載されます)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("return", "reject") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "差戻し・却下には理由を入力してください。")
        return cleaned


class EndListingForm(forms.Form):
    reason = forms.CharField(
        label="理由(任意)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
