"""The seed's questionnaire: the default questions of a new survey.

The free-text categories are added by migration 0002."""

from __future__ import annotations

from .models import Question, Survey

SATISFACTION_OPTIONS = ["たいへん参考になった", "やや参考になった", "あまり参考にならなかった", "参考にならなかった"]
INTENT_OPTIONS = [
    "専門家リストに登録して、条件が合えば活動したい",
    "関心はあるが、少し検討や確認してから考えたい",
    "登録済み",
    "関心はない",
]
DEFAULT_QUESTIONS = [
    (Question.Kind.SINGLE, "セミナー全体の満足度", SATISFACTION_OPTIONS, True, Question.Purpose.SATISFACTION),
    (Question.Kind.SINGLE, "支援者リストへの登録・活動意向", INTENT_OPTIONS, True, Question.Purpose.INTENT),
    (
        Question.Kind.TEXT,
        "登録セキスペとして活動するにあたっての課題やご要望(自由記述)",
        [],
        False,
        Question.Purpose.NONE,
    ),
]


def add_default_questions(survey: Survey) -> list[Question]:
    return Question.objects.bulk_create(
        Question(
            survey=survey, order=i, kind=kind, text=text, options="\n".join(options), required=required, purpose=purpose
        )
        for i, (kind, text, options, required, purpose) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
