from __future__ import annotations

from django import forms
from django.utils import timezone

from config import forms as site_forms

from .models import MOVE_LABELS, Case, Referral, ShortlistEntry


class CaseForm(site_forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "company_name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "prefecture",
            "industry",
            "employees",
            "themes",
            "forms",
            "periods",
            "budget",
            "notes",
        ]
        widgets = {
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "employees": forms.NumberInput(attrs={"min": 0, "max": 1000000}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "company_name": "専門家には、紹介を受諾するまで表示しません。",
            "budget": "この金額以下の料金(および応相談)の専門家で候補を絞り込みます。",
            "notes": "専門家・企業には表示しません。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("prefecture", "industry", "budget"):
            self.fields[name].choices = [("", "選択してください"), *self.fields[name].choices[1:]]
        # The site's own wording, naming the field (not Django's 「このフィールドは必須です。」).
        for name, field in self.fields.items():
            verb = "選んで" if name in ("prefecture", "industry", "budget") else "入力して"
            field.error_messages["required"] = f"{field.label}を{verb}ください。"
        self.fields["contact_email"].error_messages["invalid"] = "連絡先メールアドレスの形式が正しくありません。"
        self.fields["employees"].error_messages["invalid"] = "従業員数は数字で入力してください。"


class ReasonForm(site_forms.ModelForm):
    class Meta:
        model = ShortlistEntry
        fields = ["reason"]


class MoveForm(site_forms.Form):
    """Record the next step of a referral, as the organisation or the expert."""

    to = forms.ChoiceField(label="記録する内容", widget=forms.RadioSelect)
    on = forms.DateField(
        label="日付",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="面談・支援開始・完了などがあった日です。",
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="辞退の場合は任意、不成立の場合は必須です。",
    )

    def __init__(self, *args, referral: Referral, role: str, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["to"].choices = [(to, MOVE_LABELS[to]) for to in referral.allowed_moves(role)]

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("未来の日付は指定できません。")
        if on < timezone.localdate(self.referral.referred_at):
            raise forms.ValidationError("紹介した日より前の日付は指定できません。")
        return on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") in Referral.REASON_REQUIRED and not cleaned.get("reason", "").strip():
            self.add_error("reason", "不成立の場合は理由を入力してください。")
        return cleaned


class AnswerForm(site_forms.Form):
    """The answer of an expert without an account, through the mailed link: accept or decline."""

    answer = forms.ChoiceField(
        label="回答",
        widget=forms.RadioSelect,
        choices=[(to, MOVE_LABELS[to]) for to in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)],
    )
    reason = forms.CharField(
        label="辞退の理由(任意)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="紹介元の支援機関に伝わります。",
    )
