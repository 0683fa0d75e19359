"""The guided search's pages (/guide/): one question per page, GET only (supporters/guide.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from config.access import Role, grant_access

from . import guide
from .guide import QUESTIONS, StepForm

GUIDE_TITLE = "質問に答えて専門家を探す"


def _crumbs(current: str | None = None):
    home = ("トップ", reverse("supporters:home"))
    if current is None:
        return [home, (GUIDE_TITLE, None)]
    return [home, (GUIDE_TITLE, reverse("supporters:guide")), (current, None)]


def _carried(request, answers: dict[str, str], current: str) -> list[tuple[str, str]]:
    """Answers to carry as hidden inputs: every valid one but the question on the page
    (so going back to an earlier question keeps the later answers)."""
    carried = []
    for question in QUESTIONS:
        if question.slug == current:
            continue
        value = answers.get(question.slug) or request.GET.get(question.slug, "")
        if question.answer(value) is not None:
            carried.append((question.slug, value))
    return carried


def _next_url(question, answers: dict[str, str]) -> str:
    steps = guide.steps_for(answers)
    later = steps[steps.index(question) + 1 :] if question in steps else []
    return guide.step_url(later[0]) if later else reverse("supporters:guide-result")


def _previous_url(question, answers: dict[str, str], query: str) -> str | None:
    if question is QUESTIONS[0]:
        return None
    if question.slug == "budget" and answers.get("worry") == guide.URGENT:
        return f"{reverse('supporters:guide-urgent')}?{query}"
    steps = guide.steps_for(answers)
    earlier = steps[: steps.index(question)]
    return f"{guide.step_url(earlier[-1])}?{query}"


def _options(form: StepForm, value: str) -> list[dict]:
    question = form.question
    return [
        {
            "slug": answer.slug,
            "label": answer.label,
            "hint": answer.hint,
            "id": f"id_{question.slug}_{index}",
            "checked": answer.slug == value,
        }
        for index, answer in enumerate(question.answers)
    ]


def _render_question(request, form: StepForm, answers: dict[str, str], status: int = 200):
    question = form.question
    value = form.data.get(question.slug, "") if form.is_bound else request.GET.get(question.slug, "")
    known = {slug: answer for slug, answer in answers.items() if slug != question.slug}
    steps = guide.steps_for({**answers, question.slug: value})
    summary = [
        (q.short, q.answer(known[q.slug]).label, f"{guide.step_url(q)}?{guide.query(answers)}")
        for q in QUESTIONS
        if q.slug in known and q.answer(known[q.slug])
    ]
    return render(
        request,
        "supporters/guide_step.html",
        {
            "form": form,
            "question": question,
            "options": _options(form, value),
            "value": value,
            "number": steps.index(question) + 1 if question in steps else len(steps),
            "total": len(steps),
            "action": _next_url(question, {**answers, question.slug: value}),
            "carried": _carried(request, answers, question.slug),
            "previous_url": _previous_url(question, answers, guide.query(answers)),
            "summary": summary,
            "last": question is QUESTIONS[-1],
            "title": GUIDE_TITLE,
            "breadcrumbs": _crumbs(None if question is QUESTIONS[0] else question.short),
        },
        status=status,
    )


def _invalid(request, reading):
    """The first question answered wrongly or skipped, asked again with why (400)."""
    return _render_question(request, reading.invalid, reading.answers, status=400)


@grant_access(Role.PUBLIC)
@require_safe
def guide_start(request):
    """The first question; answers already in the URL (coming back) are kept."""
    return _step(request, QUESTIONS[0])


@grant_access(Role.PUBLIC)
@require_safe
def guide_step(request, step):
    question = guide.BY_SLUG.get(step)
    if question is None or question is QUESTIONS[0]:
        raise Http404("この質問はありません。「質問に答えて専門家を探す」の最初から始めてください。")
    return _step(request, question)


def _step(request, question):
    reading = guide.read_answers(request.GET, upto=question.slug)
    if reading.invalid is not None:
        return _invalid(request, reading)
    if question.slug == "how" and reading.answers.get("worry") == guide.URGENT:
        # Help in an incident is 緊急対応: what to do now comes before the rest.
        return redirect(f"{reverse('supporters:guide-urgent')}?{guide.query(reading.answers)}")
    form = StepForm(question, initial={question.slug: request.GET.get(question.slug, "")})
    return _render_question(request, form, reading.answers)


@grant_access(Role.PUBLIC)
@require_safe
def guide_urgent(request):
    """An incident happening now: what to do first, whom to call, then experts offering 緊急対応.

    Open to anyone, answers or not (/help/ links here): the answers given so
    far are kept, and the way on asks the first question still unanswered."""
    reading = guide.read_answers(request.GET, upto="worry")
    answers = {**reading.answers, "worry": guide.URGENT}
    query = guide.query(answers)
    unanswered = [q for q in guide.steps_for(answers) if q.slug not in answers]
    return render(
        request,
        "supporters/guide_urgent.html",
        {
            "next_url": f"{guide.step_url(unanswered[0])}?{query}",
            "next_is_budget": unanswered[0].slug == "budget",
            "now_url": guide.list_url({**answers, "budget": guide.ANY}),
            # Back to the worry question where the questions before it are answered.
            "back_url": f"{guide.step_url(guide.BY_SLUG['worry'])}?{query}" if reading.invalid is None else "",
            "ipa_anshin_url": guide.IPA_ANSHIN_URL,
            "ipa_soudan_url": guide.IPA_SOUDAN_URL,
            "police_url": guide.POLICE_CYBER_URL,
            "breadcrumbs": _crumbs("今まさに被害が起きているとき"),
        },
    )


@grant_access(Role.PUBLIC)
@require_safe
def guide_result(request):
    """Every answer checked, then the ordinary list URL with their filters."""
    reading = guide.read_answers(request.GET)
    if reading.invalid is not None:
        return _invalid(request, reading)
    return redirect(guide.list_url(reading.answers))
