from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory, modelformset_factory

from config import forms as site_forms
from config.accounts import is_unverified
from config.auth import get_user_by_email
from supporters.models import Supporter, registration_no_validator
from supporters.taxonomy import INDUSTRIES

from .models import Company, ImprovementPlan, Meeting, PlanItem, SheetRow

NEW_COMPANY = ""


class CompanyFieldsMixin(site_forms.Form):
    name = forms.CharField(label="企業名", max_length=200, required=False)
    industry = forms.ChoiceField(label="業種", choices=[("", "選択してください"), *INDUSTRIES.choices], required=False)
    employees = forms.IntegerField(label="従業員数", min_value=1, max_value=10_000_000, required=False)

    def new_company(self) -> Company:
        return Company(
            name=self.cleaned_data["name"],
            industry=self.cleaned_data["industry"],
            employees=self.cleaned_data["employees"],
        )


class ResponsibleMixin(site_forms.Form):
    responsible_title = forms.CharField(
        label="作成責任者 役職", max_length=100, required=False, help_text="例: 情報システム部長"
    )
    responsible_name = forms.CharField(
        label="作成責任者 氏名", max_length=100, required=False, help_text="例: 鈴木次郎"
    )


class ExpertNumberField(forms.CharField):
    """A 登録番号 of a published expert who has an account here."""

    default_error_messages = {
        "unknown": "この登録番号の専門家は招待できません(掲載中で、このサイトのアカウントを持つ専門家のみ招待できます)。"
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "専門家の登録番号")
        kwargs.setdefault("help_text", "専門家の個票に載っている6桁の登録番号です。")
        super().__init__(max_length=6, validators=[registration_no_validator], **kwargs)

    def clean(self, value):
        value = super().clean((value or "").strip())
        if not value:
            return None
        supporter = (
            Supporter.objects.published()
            .filter(registration_no=value, user__isnull=False)
            .select_related("user")
            .first()
        )
        if supporter is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return supporter


class CompanyStartForm(CompanyFieldsMixin, ResponsibleMixin):
    """A company user starts a self-assessment (optionally inviting an expert)."""

    company = forms.ModelChoiceField(
        label="企業",
        queryset=Company.objects.none(),
        required=False,
        empty_label="新しい企業として登録する",
        error_messages={"invalid_choice": "この企業の利用者ではありません。一覧にある企業から選んでください。"},
    )
    expert = ExpertNumberField(required=False)

    field_order = ["company", "name", "industry", "employees", "responsible_title", "responsible_name", "expert"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        companies = Company.objects.filter(members=user)
        if companies.exists():
            self.fields["company"].queryset = companies
            self.fields["company"].initial = companies.first().pk
            self.fields["name"].help_text = "新しい企業として登録するときだけ入力します。"
        else:
            del self.fields["company"]

    def clean(self):
        data = super().clean()
        if not data.get("company") and not data.get("name"):
            self.add_error("name", "企業名を入力してください。")
        return data


class ExpertStartForm(CompanyFieldsMixin, ResponsibleMixin):
    """An expert starts an assessment and invites the company by e-mail."""

    email = forms.EmailField(
        label="企業のご担当者のメールアドレス", help_text="参加用のリンクをこのアドレスに送ります。"
    )

    field_order = ["name", "industry", "employees", "responsible_title", "responsible_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


class InviteExpertForm(site_forms.Form):
    expert = ExpertNumberField()


class InviteCompanyForm(site_forms.Form):
    email = forms.EmailField(label="企業のご担当者のメールアドレス")


class InviteColleagueForm(site_forms.Form):
    email = forms.EmailField(label="招待する方のメールアドレス")


class AcceptCompanyInvitationForm(site_forms.Form):
    """Logged in: join as the invited company, or as one of the user's own."""

    company = forms.ChoiceField(label="参加する企業", widget=forms.RadioSelect, required=False)

    def __init__(self, *args, user, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.own = {str(c.pk): c for c in Company.objects.filter(members=user)}
        choices = [(NEW_COMPANY, f"招待された企業「{invitation.assessment.company.name}」として参加する")]
        choices += [(pk, f"登録済みの「{c.name}」として参加する") for pk, c in self.own.items()]
        self.fields["company"].choices = choices
        self.fields["company"].initial = NEW_COMPANY

    def chosen_company(self):
        return self.own.get(self.cleaned_data["company"])


class SignupForm(site_forms.Form):
    """An invitee without an account makes one; the link proved the address."""

    last_name = forms.CharField(label="姓", max_length=150)
    first_name = forms.CharField(label="名", max_length=150)
    password1 = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8文字以上で、推測されにくいものにしてください。",
    )
    password2 = forms.CharField(
        label="パスワード(確認)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        account = get_user_by_email(self.email)
        if account is not None and not is_unverified(account):
            raise forms.ValidationError(
                "このメールアドレスのアカウントはすでにあります。ログインしてから参加してください。"
            )
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "確認用のパスワードが一致しません。")
        elif p1:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class MeetingForm(site_forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "start_time", "end_time", "attendees"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "attendees": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"attendees": "例: 代表取締役社長 情報太郎、管理部情報システム部 部長 佐藤一郎"}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "終了時刻は開始時刻より後にしてください。")
        if (start or end or data.get("attendees")) and not data.get("date"):
            self.add_error("date", "日付を入力してください。")
        return data


class _LoadedObjectField(forms.ModelChoiceField):
    def __init__(self, loaded: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = loaded

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.loaded[str(value)]
        except KeyError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class LoadedRowsMixin:
    """Checks each form's hidden id against the rows the formset already loaded.

    Django checks it with one query per form (a choice over the whole table);
    a sheet has dozens of rows. An id outside the formset's own rows (forged,
    or another assessment's) is refused as an invalid choice.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not hasattr(self, "_loaded"):
            self._loaded = {str(obj.pk): obj for obj in self.get_queryset()}
        name = self._pk_field.name
        old = form.fields[name]
        form.fields[name] = _LoadedObjectField(
            self._loaded, old.queryset, initial=old.initial, required=False, widget=old.widget
        )


class LoadedRowsFormSet(LoadedRowsMixin, forms.BaseModelFormSet):
    pass


class LoadedRowsInlineFormSet(LoadedRowsMixin, forms.BaseInlineFormSet):
    pass


class MeetingBaseFormSet(LoadedRowsFormSet):
    """The three meetings; ③ cannot move past a day a side already agreed on.

    Agreement follows ③ (ImprovementPlan.agreement_blocker): a ③ moved after
    an agreement would leave that agreement made before its meeting.
    """

    def __init__(self, *args, agreed_since=None, **kwargs):
        self.agreed_since = agreed_since
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if form.instance.number == 3 and self.agreed_since and day and day > self.agreed_since:
                form.add_error(
                    "date",
                    f"③の日付は、すでに合意した日({self.agreed_since.year}年{self.agreed_since.month}月"
                    f"{self.agreed_since.day}日)より後にはできません。",
                )


MeetingFormSet = modelformset_factory(Meeting, form=MeetingForm, formset=MeetingBaseFormSet, extra=0, edit_only=True)


class RowForm(site_forms.ModelForm):
    """A sheet row's fields, labelled with their 中分類 so that each label is unique."""

    blank_labels = {"result": "未記入", "evaluation": "未評価"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if self.instance.middle_id:  # a forged row id has none
                field.label = f"{field.label}({self.instance.middle.name})"
            if name in self.blank_labels:
                field.choices = [("", self.blank_labels[name]), *[c for c in field.choices if c[0]]]


class CompanyRowForm(RowForm):
    class Meta:
        model = SheetRow
        fields = SheetRow.COMPANY_FIELDS
        widgets = {"company_comment": forms.Textarea(attrs={"rows": 3})}


class ExpertRowForm(RowForm):
    procedures = forms.MultipleChoiceField(
        label="評価手続き", choices=SheetRow.Procedure.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = SheetRow
        fields = SheetRow.EXPERT_FIELDS
        widgets = {"expert_comment": forms.Textarea(attrs={"rows": 3})}


def sheet_formset_class(side: str):
    """Only the side's own columns are fields: the other side's cannot be posted."""
    form = CompanyRowForm if side == "company" else ExpertRowForm
    return modelformset_factory(SheetRow, form=form, formset=LoadedRowsFormSet, extra=0, edit_only=True)


class VersionForm(site_forms.Form):
    """The version the editor started from (optimistic concurrency)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class CompanyPlanForm(site_forms.ModelForm):
    class Meta:
        model = ImprovementPlan
        fields = ["created_on"]
        widgets = {"created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ExpertPlanForm(site_forms.ModelForm):
    class Meta:
        model = ImprovementPlan
        fields = ["evaluation_summary"]
        labels = {"evaluation_summary": "2. 評価結果"}
        widgets = {"evaluation_summary": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"evaluation_summary": "セキュリティアセスメントの評価結果を記入します。"}


class PlanItemForm(site_forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["content", "timing"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "timing": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"timing": "例: (1) 2026/3 末までに計画策定 (2) 2026/5~6 に初回実施"}


PlanItemFormSet = inlineformset_factory(
    ImprovementPlan,
    PlanItem,
    form=PlanItemForm,
    formset=LoadedRowsInlineFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
)
