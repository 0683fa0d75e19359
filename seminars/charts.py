"""Survey results: counts and shares per question, as kernel bar charts (config/charts.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from config.charts import Bar, BarChart, percent

from .models import Answer, AnswerCategory, Question, Response, Survey


@dataclass
class QuestionResult:
    question: Question
    respondents: int
    # Options of a choice question, or the categories tagged on free texts.
    chart: BarChart | None = None
    texts: list[Answer] = field(default_factory=list)


def survey_results(survey: Survey) -> list[QuestionResult]:
    """Per question: counts and shares of each option, or tagged free texts.

    Shares are of the respondents who answered that question. A fixed number
    of queries whatever the number of responses.
    """
    questions = list(survey.questions.all())
    counts = defaultdict(Counter)
    for row in (
        Answer.objects.filter(question__survey=survey)
        .exclude(choice="")
        .values("question_id", "choice")
        .annotate(n=Count("id"))
    ):
        counts[row["question_id"]][row["choice"]] = row["n"]
    respondents = dict(
        Answer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    texts = defaultdict(list)
    for answer in (
        Answer.objects.filter(question__survey=survey, question__kind=Question.Kind.TEXT)
        .prefetch_related(Prefetch("categories", queryset=AnswerCategory.objects.all()))
        .order_by("id")
    ):
        texts[answer.question_id].append(answer)
    categories = list(AnswerCategory.objects.all())

    results = []
    for question in questions:
        answered = respondents.get(question.pk, 0)
        result = QuestionResult(question, answered)
        if question.is_choice:
            options = question.option_list
            # Options removed after answers came in are still counted.
            extra = [c for c in counts[question.pk] if c not in options]
            bars = [
                Bar.single(o, counts[question.pk][o], percent(counts[question.pk][o], answered))
                for o in options + extra
            ]
            result.chart = BarChart(f"q{question.pk}", question.text, "選択肢", bars, scale="share", unit="件")
        else:
            result.texts = texts[question.pk]
            tagged = Counter(c.pk for a in result.texts for c in a.categories.all())
            bars = [
                Bar.single(c.name, tagged[c.pk], percent(tagged[c.pk], len(result.texts)))
                for c in categories
                if tagged[c.pk]
            ]
            if bars:
                title = f"{question.text}(自由記述のカテゴリ別、自由記述の回答に対する割合)"
                result.chart = BarChart(f"q{question.pk}", title, "カテゴリ", bars, scale="share")
        results.append(result)
    return results


def survey_table(survey: Survey) -> tuple[list[str], list[list[str]]]:
    """Every response as one CSV row (multiple choices joined by " / ")."""
    questions = list(survey.questions.all())
    header = ["回答番号", "回答日時", "申込者メールアドレス"] + [q.text for q in questions]
    rows = []
    responses = (
        Response.objects.filter(survey=survey)
        .select_related("application")
        .prefetch_related("answers")
        .order_by("submitted_at", "id")
    )
    for number, response in enumerate(responses, start=1):
        by_question = defaultdict(list)
        for answer in response.answers.all():
            by_question[answer.question_id].append(answer.choice or answer.text)
        rows.append(
            [
                str(number),
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                response.application.email if response.application else "",
            ]
            + [" / ".join(by_question[q.pk]) for q in questions]
        )
    return header, rows
