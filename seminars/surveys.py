"""The seed's questionnaires: the default questions of a new survey (a seminar's or a ケース演習's).

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


# The ケース演習's questionnaire (seed §4, 実施結果 and アンケート結果): how useful
# each part was, how well each topic was understood, the difficulty, the
# tool's usefulness, whom experts want to work with and whether they will
# take up assessments.
USEFUL_OPTIONS = ["大変有意義であった", "有意義であった", "あまり有意義ではなかった", "有意義ではなかった"]
UNDERSTOOD_OPTIONS = ["大変よく理解できた", "理解できた", "あまり理解できなかった", "理解できなかった"]
DIFFICULTY_OPTIONS = ["難しかった", "適切であった", "易しかった"]
HELPFUL_OPTIONS = ["役立つと感じる", "役立つとは感じない"]
PARTNER_OPTIONS = [
    "商工会議所",
    "中小企業向けITベンダ、セキュリティベンダ",
    "自身と異なる専門を有する登録セキスペ",
    "地域SECUNITY",
    "金融機関",
    "その他",
]
ACTIVITY_OPTIONS = ["希望する", "関心はあるが、検討したい", "希望しない"]
WORKSHOP_QUESTIONS = [
    (
        Question.Kind.SINGLE,
        "講演「マネジメント指導ツール(セキュリティアセスメント)の解説等」は有意義でしたか",
        USEFUL_OPTIONS,
    ),
    (Question.Kind.SINGLE, "グループワーク(グループ評価)は有意義でしたか", USEFUL_OPTIONS),
    (Question.Kind.SINGLE, "理解度: 専門家指導の3回の実施内容", UNDERSTOOD_OPTIONS),
    (Question.Kind.SINGLE, "理解度: セキュリティアセスメントシートの利用方法", UNDERSTOOD_OPTIONS),
    (Question.Kind.SINGLE, "理解度: 改善計画書の記載方法", UNDERSTOOD_OPTIONS),
    (Question.Kind.SINGLE, "理解度: 監査の方法", UNDERSTOOD_OPTIONS),
    (Question.Kind.SINGLE, "グループワークの課題の難易度", DIFFICULTY_OPTIONS),
    (Question.Kind.SINGLE, "マネジメント指導ツールは指導業務に役立つと感じますか", HELPFUL_OPTIONS),
    (Question.Kind.MULTIPLE, "登録セキスペとして活動する際に連携を希望する相手(複数選択)", PARTNER_OPTIONS),
    (Question.Kind.SINGLE, "「セキュリティアセスメント」を活用した活動を希望しますか", ACTIVITY_OPTIONS),
    (Question.Kind.TEXT, "登録セキスペとして企業支援の活動を行うにあたっての課題やご要望(自由記述)", []),
]


def add_default_questions(survey: Survey) -> list[Question]:
    """A new survey's questions: the ケース演習's for a workshop, else the seminar's."""
    if survey.event.kind == survey.event.Kind.WORKSHOP:
        rows = [
            (kind, text, options, kind != Question.Kind.TEXT, Question.Purpose.NONE)
            for kind, text, options in WORKSHOP_QUESTIONS
        ]
    else:
        rows = DEFAULT_QUESTIONS
    return Question.objects.bulk_create(
        Question(
            survey=survey, order=i, kind=kind, text=text, options="\n".join(options), required=required, purpose=purpose
        )
        for i, (kind, text, options, required, purpose) in enumerate(rows, start=1)
    )
