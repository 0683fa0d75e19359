"""Forms of the registration lifecycle: one entry form for applications and
change requests, the contact relay and staff decisions."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from config import forms as site_forms

from . import validation
from .models import ENTRY_FIELDS, ContactMessage, Supporter
from .taxonomy import PREFECTURES, REGIONS, prefectures_of


class ServiceAreaWidget(forms.CheckboxSelectMultiple):
    """全国, then each region: its whole area or some of its prefectures (each region folds away)."""

    template_name = "supporters/widgets/service_area.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = set(value or [])
        base = context["widget"]["attrs"].get("id", f"id_{name}")
        counter = iter(range(1000))

        def option(value, label):
            return {"value": value, "label": label, "id": f"{base}_{next(counter)}", "checked": value in chosen}

        groups = []
        for region in REGIONS:
            prefectures = prefectures_of(region.slug)
            whole = option(f"region:{region.slug}", f"{region.label}の全域" if len(prefectures) > 1 else region.label)
            parts = [option(f"pref:{p.slug}", p.label) for p in prefectures] if len(prefectures) > 1 else []
            groups.append(
                {
                    "region": region,
                    "whole": whole,
                    "prefectures": parts,
                    "count": sum(o["checked"] for o in [whole, *parts]),
                }
            )
        context["widget"].update(nationwide=option("nationwide", "全国どこでも支援できる"), groups=groups)
        return context


class ServiceAreaField(forms.MultipleChoiceField):
    """Where the expert supports companies, asked once: 全国, whole regions, or prefectures.

    Cleans to (nationwide, region slugs, prefecture slugs) for the entry;
    全国 makes the rest redundant, and a whole region its prefectures.
    """

    widget = ServiceAreaWidget

    def __init__(self, **kwargs):
        choices = [("nationwide", "全国")]
        choices += [(f"region:{r.slug}", r.label) for r in REGIONS]
        choices += [(f"pref:{p.slug}", p.label) for p in PREFECTURES]
        super().__init__(
            choices=choices,
            label="支援できる地域",
            help_text="全国に対応できる場合は「全国」を、そうでなければ地域の全域か都道府県を選んでください(いくつでも選べます)。"
            "会社の所在地から探す人には、全国・その地域の全域・その都道府県を選んだ専門家が表示されます。",
            error_messages={
                "required": "支援できる地域を選んでください(全国、地域の全域、都道府県のどれかを1つ以上)。",
            },
            **kwargs,
        )

    @staticmethod
    def values_of(entry: Supporter) -> list[str]:
        if entry.nationwide:
            return ["nationwide"]
        terms = {
            name: Supporter._meta.get_field(name).to_python(getattr(entry, name)) for name in ("regions", "prefectures")
        }
        return [f"region:{slug}" for slug in terms["regions"].ordered()] + [
            f"pref:{slug}" for slug in terms["prefectures"].ordered()
        ]

    def clean(self, value):
        values = super().clean(value)
        if "nationwide" in values:
            return True, [], []
        regions = [v.split(":", 1)[1] for v in values if v.startswith("region:")]
        prefectures = [
            slug
            for v in values
            if v.startswith("pref:") and PREFECTURES.get(slug := v.split(":", 1)[1]).region not in regions
        ]
        return False, regions, prefectures


class EntryRules(site_forms.ModelForm):
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

    # A text box read as people write dates (config/dates.py), not type=date:
    # browsers order and type date segments by their own locale, which is
    # hard to use by keyboard and screen reader.
    valid_until = site_forms.JapaneseDateField(
        label="登録有効期限",
        help_text="登録証に書かれている有効期限。「2028年3月31日」「2028/3/31」「R10.3.31」のどの書き方でもかまいません。",
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
        # The admin asks 全国, regions and prefectures as separate fields; the
        # expert's form asks them once (ServiceAreaField, required there).
        area_fields = [name for name in ("nationwide", "regions", "prefectures") if name in self.fields]
        if area_fields and not any(cleaned.get(name) for name in area_fields):
            self.add_error("regions", validation.AREA_REQUIRED)
        return cleaned


class SupporterAdminForm(EntryRules):
    """Staff edit an entry in the admin with the same rules (the private contact address too)."""

    class Meta:
        model = Supporter
        fields = ["registration_no", *ENTRY_FIELDS, "contact_email", "updated_on"]


# The entry form in the order it is shown: (heading, field names).
ENTRY_SECTIONS = [
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
    ("支援の条件", ["area", "themes", "periods", "fee", "first_free", "forms"]),
    ("公開の設定", ["published_fields"]),
]


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

    area = ServiceAreaField()

    SECTIONS = ENTRY_SECTIONS

    class Meta:
        model = Supporter
        # The model fields the sections show; the service area and 公開の設定 are form fields
        # that each write several model fields.
        fields = [name for _, names in ENTRY_SECTIONS for name in names if name not in ("area", "published_fields")]
        labels = {"registration_no": "登録番号(情報処理安全確保支援士)"}
        help_texts = {
            "registration_no": "6桁の数字(例: 012345)",
            "name_kana": "カタカナ(ひらがなで入力してもカタカナに直します)",
            "email": "公開する場合に一覧・個票に表示するアドレス。ログイン用とは別でもかまいません。",
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
        self.initial.setdefault("area", ServiceAreaField.values_of(self.instance))

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

    def clean_area(self):
        nationwide, regions, prefectures = area = self.cleaned_data["area"]
        self.instance.nationwide = nationwide
        self.instance.regions = Supporter._meta.get_field("regions").to_python(regions)
        self.instance.prefectures = Supporter._meta.get_field("prefectures").to_python(prefectures)
        return area

    def clean(self):
        cleaned = super().clean()
        if "published_fields" in cleaned:
            published = set(cleaned["published_fields"])
            self.instance.hidden_fields = [key for key in Supporter.HIDEABLE_FIELDS if key not in published]
        return cleaned


class Honeypot(site_forms.Form):
    """A field people leave empty (hidden from them); bots that fill every field reveal themselves."""

    website = forms.CharField(label="この欄は入力しないでください", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ContactForm(Honeypot, site_forms.ModelForm):
    """A message to an expert whose address is not published."""

    consent = forms.BooleanField(
        label="入力した内容を専門家へ送ること、迷惑行為への対応のためIPAが90日間保存することに同意します",
        error_messages={"required": "送信には同意が必要です。"},
    )

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "organization", "message"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name", "maxlength": 100}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization", "maxlength": 200}),
            "message": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        }
        labels = {"organization": "会社・団体名(任意)", "message": "相談したい内容"}
        help_texts = {
            "email": "専門家からの返信と、送った内容の控えが届きます。専門家にだけ伝わり、公開はされません。",
            "message": "上の「書いていただくと、話が早く進みます」を参考に、2,000文字以内でお書きください。",
        }

    def clean_name(self):
        return validation.text(self.cleaned_data["name"])

    def clean_organization(self):
        return validation.text(self.cleaned_data["organization"])


class ErrorReportForm(Honeypot, site_forms.Form):
    """「掲載内容の誤りを報告」: what looks wrong on a 個票, sent to IPA."""

    ITEMS = [
        ("contact", "氏名・連絡先"),
        ("area", "居住地・支援できる地域"),
        ("support", "指導テーマ・支援の形態・期間・料金"),
        ("record", "資格・経験・企業支援実績"),
        ("inactive", "この専門家は活動していない・連絡がつかない"),
        ("other", "その他"),
    ]

    item = forms.ChoiceField(label="誤りのある項目", choices=ITEMS, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="どこが、どう違っているか",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        help_text="わかる範囲でお書きください(1,000文字以内)。例: 「メールアドレスに送ると届かない」「料金が専門家の説明と違う」",
    )
    email = forms.EmailField(
        label="あなたのメールアドレス(任意)",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="IPAから内容を確認するときにだけ使います。専門家には伝わりません。",
    )

    def report(self) -> dict:
        return {
            "item": dict(self.ITEMS)[self.cleaned_data["item"]],
            "detail": self.cleaned_data["detail"],
            "reply_to": self.cleaned_data["email"],
        }


class DecisionForm(site_forms.Form):
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


class EndListingForm(site_forms.Form):
    reason = forms.CharField(
        label="理由(任意)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClaimRequestForm(site_forms.Form):
    """Ask for a claim link: the address the entry holds, never a public field."""

    email = forms.EmailField(
        label="掲載情報に登録されている連絡用メールアドレス",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=(
            "IPAに届け出た連絡用のメールアドレス(公開していない場合も含みます)です。"
            "一致する登録があれば、そのアドレスに連携用のリンクを送ります。"
        ),
    )
