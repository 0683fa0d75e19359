"""The guided search (/guide/): plain questions, and the one table that turns answers into filters.

Someone who runs a 30-person factory knows what worries them, not which of
the list's themes that is. Each question here is asked on a page of its own
(GET only, every step a URL); each answer names the list's filters it adds
(``Answer.filters``, parameter → values of supporters/filters.py). That
table is the only place the mapping lives: the guide's last step builds the
list URL from it, the list page explains itself from it, and /help/ shows it
whole, so anyone can check why an expert was suggested.

Each filter parameter is set by at most one question (OR within a parameter
would otherwise mix two answers: ``form=emergency&form=lecture`` is "either").
An incident happening now sets the support form itself (緊急対応), so the
question on how to be helped is not asked then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from django.urls import reverse

from config import forms as site_forms

from .taxonomy import FEES, FORMS, INDUSTRIES, PREFECTURES, REGIONS, THEMES, prefectures_of

ANY = "any"  # "I don't know / no preference": an answer that adds no filter
MAX_SHOWN = 40  # a wrong answer is quoted at most this long
URGENT = "incident-now"

# Public contacts for an incident happening now (their own public pages).
IPA_ANSHIN_URL = "https://www.ipa.go.jp/security/anshin/"
IPA_SOUDAN_URL = "https://www.ipa.go.jp/security/support/soudan.html"
POLICE_CYBER_URL = "https://www.npa.go.jp/bureau/cyber/soudan.html"


@dataclass(frozen=True)
class Answer:
    slug: str
    label: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hint: str = ""

    @property
    def conditions(self) -> list[str]:
        """The filters this answer adds, in words (「指導テーマ: 規程整備」)."""
        return [filter_text(name, values) for name, values in self.filters.items()]


@dataclass(frozen=True)
class Question:
    slug: str  # the query parameter that carries the answer
    text: str  # the question, as asked
    short: str  # what the answer is about, in a sentence on the list page
    answers: tuple[Answer, ...]
    hint: str = ""
    # Questions with one answer per term of a taxonomy (prefecture, industry) are
    # shown on /help/ by their rule rather than term by term.
    rule: str = ""
    select: bool = False  # a long list: a drop-down grouped by region instead of radios

    def answer(self, slug: str) -> Answer | None:
        return next((a for a in self.answers if a.slug == slug), None)

    @property
    def listed_answers(self) -> tuple[Answer, ...]:
        """The answers /help/ lists one by one (all of them, unless the question has a rule)."""
        return tuple(a for a in self.answers if a.slug == ANY) if self.rule else self.answers


def _budget(slug: str, label: str, fees: tuple[str, ...]) -> Answer:
    return Answer(
        slug,
        label,
        {"fee": (*fees, "negotiable")},
        "料金を「応相談」としている専門家も含めます。",
    )


QUESTIONS: tuple[Question, ...] = (
    Question(
        "prefecture",
        "会社はどの都道府県にありますか?",
        "会社の所在地",
        (
            *(Answer(p.slug, p.label, {"prefecture": (p.slug,)}) for p in PREFECTURES),
            Answer(ANY, "決めずに全国から探す", hint="リモートで相談できる専門家も多くいます。"),
        ),
        hint="その都道府県で支援できる専門家(全国対応や、地域全体で支援する専門家を含みます)を探します。",
        rule="選んだ都道府県で支援できる専門家(「会社の所在地(都道府県)」の条件)",
        select=True,
    ),
    Question(
        "industry",
        "会社の業種は何ですか?",
        "会社の業種",
        (
            *(Answer(t.slug, t.label, {"industry": (t.slug,)}) for t in INDUSTRIES),
            Answer(ANY, "わからない・業種は問わない"),
        ),
        hint="その業界を得意とする専門家を探します。当てはまるものがなければ「業種は問わない」を選んでください。",
        rule="選んだ業界を得意とする専門家(「得意とする業界」の条件)",
    ),
    Question(
        "worry",
        "いちばん困っていること、相談したいことは何ですか?",
        "困っていること",
        (
            Answer(
                URGENT,
                "ランサムウェアや不審なメールなど、今まさに被害が起きている",
                {"theme": ("incident-response",), "form": ("emergency",)},
                "まず、すぐにすべきことと公的な相談窓口をご案内します。",
            ),
            Answer(
                "customer-asks",
                "取引先からSECURITY ACTIONやSCS★3(サプライチェーン強化に向けたセキュリティ対策評価制度)を求められた",
                {"theme": ("assessment", "policy")},
            ),
            Answer("no-rules", "社内のルール(情報セキュリティの決まりごと)がない", {"theme": ("policy",)}),
            Answer("training", "社員にセキュリティの教育をしたい", {"theme": ("staff-training",)}),
            Answer("cloud", "クラウドサービスに移行したい・安全に使いたい", {"theme": ("cloud",)}),
            Answer("where-to-start", "何から始めればよいかわからない", {"theme": ("risk-analysis",)}),
        ),
    ),
    Question(
        "how",
        "どのように相談したいですか?",
        "相談のしかた",
        (
            Answer("visit", "会社に来てもらって相談したい", {"form": ("visit",)}),
            Answer(
                "remote",
                "ビデオ会議や電話で相談したい",
                {"form": ("remote",)},
                "遠くの専門家にも頼めます。",
            ),
            Answer("lecture", "社員向けに講演や研修をしてほしい", {"form": ("lecture",)}),
            Answer(ANY, "こだわらない"),
        ),
    ),
    Question(
        "budget",
        "1回(2時間)あたりの予算はどのくらいですか?",
        "予算",
        (
            Answer(
                "first-free",
                "まずは無料で相談したい(初回相談無料)",
                {"first_free": ("1",)},
                "初回の相談を無料にしている専門家を探します。2回目からの料金は専門家と相談して決めます。",
            ),
            _budget("under-10k", "1万円未満", ("free", "under-10k")),
            _budget("under-20k", "2万円未満", ("free", "under-10k", "10k-20k")),
            _budget("under-30k", "3万円未満", ("free", "under-10k", "10k-20k", "20k-30k")),
            Answer(ANY, "まだ決めていない・こだわらない"),
        ),
    ),
)

BY_SLUG = {q.slug: q for q in QUESTIONS}
# The answers the list page reads to explain a guided search (prefecture and
# industry are list filters already, with the same values).
ANSWER_PARAMS = ("worry", "how", "budget")
# What each filter parameter is called in a sentence.
FILTER_NAMES = {
    "prefecture": ("会社の所在地", PREFECTURES),
    "industry": ("得意とする業界", INDUSTRIES),
    "theme": ("指導テーマ", THEMES),
    "form": ("支援の形態", FORMS),
    "fee": ("支援料金", FEES),
    "first_free": ("初回相談無料", None),
}


def filter_text(name: str, values) -> str:
    """「指導テーマ: 規程整備、セキュリティアセスメント」"""
    label, taxonomy = FILTER_NAMES[name]
    if taxonomy is None:
        return f"{label}のみ"
    return f"{label}: " + "、".join(taxonomy.label(v) for v in values)


def steps_for(answers: dict[str, str]) -> list[Question]:
    """The questions asked, in order, given the answers so far (no "how" after an incident)."""
    return [q for q in QUESTIONS if not (q.slug == "how" and answers.get("worry") == URGENT)]


class StepForm(site_forms.Form):
    """One question: its answer is one of the table's, or the page says which to choose."""

    def __init__(self, question: Question, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.question = question
        choices = [(a.slug, a.label) for a in question.answers]
        if question.select:
            groups = [(region.label, [(p.slug, p.label) for p in prefectures_of(region.slug)]) for region in REGIONS]
            choices = [("", "選んでください"), *groups, (ANY, question.answer(ANY).label)]
            widget = forms.Select
        else:
            widget = forms.RadioSelect
        self.fields[question.slug] = forms.ChoiceField(
            label=question.text,
            choices=choices,
            widget=widget,
            error_messages={
                "required": "答えを1つ選んでください(わからないときは「わからない」「こだわらない」などを選べます)。",
                "invalid_choice": "「%(value)s」は選べない答えです。下の中から1つ選んでください。",
            },
        )

    @property
    def field(self):
        """The answer's field, its hint and errors tied to it (a drop-down has no fieldset to carry them)."""
        slug = self.question.slug
        described = [f"{slug}_hint"] if self.question.hint else []
        if self.is_bound and self.errors:
            described.append(f"{slug}_errors")
        if described:
            self.fields[slug].widget.attrs["aria-describedby"] = " ".join(described)
        return self[slug]

    @property
    def first_input_id(self) -> str:
        """Where the error summary's link lands: the select, or the first radio."""
        return f"id_{self.question.slug}" if self.question.select else f"id_{self.question.slug}_0"


@dataclass
class Reading:
    """What the guide makes of a request's answers, up to a step."""

    answers: dict[str, str]  # valid answers, question slug → answer slug
    invalid: StepForm | None = None  # the first question answered wrongly (or skipped)


def read_answers(data: QueryDict, upto: str | None = None) -> Reading:
    """Check the answers to every question before ``upto`` (all of them if None)."""
    answers: dict[str, str] = {}
    for question in QUESTIONS:
        if question.slug == upto:
            break
        if question not in steps_for(answers):
            continue
        # No answer is longer than this: a longer value is wrong anyway, and quoted short.
        value = data.get(question.slug, "")[: MAX_SHOWN + 1]
        form = StepForm(question, {question.slug: value})
        if not form.is_valid():
            return Reading(answers, form)
        answers[question.slug] = form.cleaned_data[question.slug]
    return Reading(answers)


def query(answers: dict[str, str]) -> str:
    """The guide's own query string for these answers (to carry them to the next step)."""
    data = QueryDict(mutable=True)
    for question in QUESTIONS:
        if question.slug in answers:
            data[question.slug] = answers[question.slug]
    return data.urlencode()


def list_query(answers: dict[str, str]) -> QueryDict:
    """The list's parameters for these answers: the filters of each answer, and the
    answers the list page explains itself by."""
    data = QueryDict(mutable=True)
    for question in QUESTIONS:
        answer = question.answer(answers.get(question.slug, ""))
        if answer is None:
            continue
        for name, values in answer.filters.items():
            data.setlist(name, [*data.getlist(name), *values])
    for name in ANSWER_PARAMS:
        if answers.get(name):
            data[name] = answers[name]
    return data


def list_url(answers: dict[str, str]) -> str:
    query_string = list_query(answers).urlencode()
    return reverse("supporters:list") + (f"?{query_string}" if query_string else "")


def step_url(question: Question) -> str:
    return (
        reverse("supporters:guide")
        if question is QUESTIONS[0]
        else reverse("supporters:guide-step", args=[question.slug])
    )
