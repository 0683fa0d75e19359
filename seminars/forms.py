import re

import jaconv
from django import forms

from config import forms as site_forms
from config.spreadsheets import SpreadsheetField
from supporters.models import Supporter, registration_no_validator

from .models import Application, Event, Question
from .services import DUPLICATE_MESSAGE

KANA_RE = re.compile(r"^[ァ-ヶー・ 　]+\Z")


class ApplicationForm(site_forms.ModelForm):
    consent = forms.BooleanField(
        label="申込内容を事務局がセミナーの運営と今後のご案内に利用することに同意します",
        error_messages={"required": "申し込むには同意が必要です。"},
    )

    class Meta:
        model = Application
        fields = ["name", "name_kana", "email", "organization", "registration_no", "question"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "name_kana": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization"}),
            "registration_no": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "question": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "name_kana": "全角カタカナで入力してください(ひらがなは自動でカタカナにします)。",
            "registration_no": "情報処理安全確保支援士の登録番号(6桁)。",
            "question": "講師への質問があればお書きください。FAQとして公開することがあります(お名前は出しません)。",
        }

    def __init__(self, *args, event: Event, entry: Supporter | None = None, **kwargs):
        """``entry``: the published entry of the signed-in user, if any (their own 登録番号)."""
        super().__init__(*args, **kwargs)
        self.event = event
        self.entry = entry
        self.supporter = None  # the entry a 登録番号 names, for a 掲載者のみ event
        self.fields["registration_no"].validators.append(registration_no_validator)
        self.fields["registration_no"].error_messages["required"] = "登録番号を入力してください。"
        if entry is not None:
            # The account proves who they are: their own number, not a typed one.
            del self.fields["registration_no"]
        elif event.for_listed_only:
            self.fields["registration_no"].required = True
            self.fields[
                "registration_no"
            ].help_text = "支援者リストに掲載中の登録番号(6桁)。確認のメールを、この番号の掲載情報に登録されたメールアドレスに送ります。"
            # Mail goes to the entry's own address, never to one typed here.
            del self.fields["email"]
        for name, label in (("name", "氏名"), ("name_kana", "氏名(カナ)"), ("email", "メールアドレス")):
            if name in self.fields:
                self.fields[name].error_messages["required"] = f"{label}を入力してください。"
        if "email" in self.fields:
            self.fields["email"].error_messages["invalid"] = "メールアドレスの形式が正しくありません。"

    @property
    def confirms_by_mail(self) -> bool:
        """A 掲載者のみ event applied for without the listed expert's account: the entry's address confirms."""
        return self.event.for_listed_only and self.entry is None

    def clean_name_kana(self):
        value = jaconv.hira2kata(jaconv.h2z(self.cleaned_data["name_kana"].strip(), kana=True))
        if not KANA_RE.match(value):
            raise forms.ValidationError("氏名(カナ)はカタカナで入力してください。")
        return value

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.event.applications.active().filter(email=email).exists():
            raise forms.ValidationError(DUPLICATE_MESSAGE)
        return email

    def clean_registration_no(self):
        number = self.cleaned_data["registration_no"].strip()
        if number and self.confirms_by_mail:
            self.supporter = Supporter.objects.published().filter(registration_no=number).first()
            if self.supporter is None:
                raise forms.ValidationError(
                    "この登録番号は支援者リストに掲載されていません。掲載後にお申し込みいただくか、番号をご確認ください。"
                )
        return number

    def application_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if self.entry is not None:
            data["registration_no"] = self.entry.registration_no
        return data


class SurveyForm(site_forms.Form):
    """One field per question; field names are ``q<id>``."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question: Question):
        common = {
            "label": question.text,
            "required": question.required,
            "error_messages": {"required": "回答を選ぶか入力してください。"},
        }
        if question.kind == Question.Kind.TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, **common)
        choices = [(o, o) for o in question.option_list]
        if question.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        if question.kind == Question.Kind.SCALE:
            choices = [(str(p), f"{p}" + {1: "(低い)", 5: "(高い)"}.get(p, "")) for p in Question.SCALE_POINTS]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)

    def answers(self) -> dict:
        return {q: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class AttendanceImportForm(site_forms.Form):
    file = SpreadsheetField(
        label="出席者のファイル(.csv または .xlsx)",
        help_text="ウェビナーツールが出力した参加者レポート(CSVはUTF-8 または Shift_JIS)。「メールアドレス」の列で申込と照合します。",
    )
