"""The sheet's rows, its summary and chart, and the .xlsx downloads.

The workbooks are laid out and styled here; the views hand them to the
kernel's writer (config.spreadsheets.xlsx_response), which defuses every
cell (company and expert comments are free text) and saves them.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles import Side as LineSide
from openpyxl.utils import get_column_letter

from config.charts import Bar, BarChart, Segment

from .models import Requirement, SheetRow

SHEET_TITLE = "セキュリティアセスメントシート"
# The seed's two heading rows: (heading, sub-headings under it).
SHEET_HEADINGS = [
    ("大分類", []),
    ("中分類", []),
    ("★3 要求事項 No.", []),
    ("要求事項", []),
    ("企業が記入する欄", ["確認結果", "結果に関するコメント"]),
    ("評価手続き (実施したものに○印)", [p.label for p in SheetRow.Procedure]),
    ("評価結果 (専門家が記入)", []),
    ("専門家コメント", []),
]


def sheet_rows(assessment):
    """The assessment's rows in sheet order, each with its 中分類, 大分類 and requirements."""
    return list(
        assessment.rows.select_related("middle__major")
        .prefetch_related(
            Prefetch(
                "middle__requirements",
                queryset=Requirement.objects.order_by("order", "code").prefetch_related("criteria"),
            )
        )
        .order_by("middle__number")
    )


def requirement_text(row) -> str:
    lines = []
    for requirement in row.middle.requirements.all():
        lines.append(f"・{requirement.text}")
        lines.extend(f"  {c.code} {c.text}" for c in requirement.criteria.all())
    return "\n".join(lines)


@dataclass
class MajorTally:
    name: str
    conform: int = 0
    improve: int = 0
    pending: int = 0
    rows: int = 0

    @property
    def bars(self):
        return [
            ("適合", self.conform, "conform"),
            ("改善要", self.improve, "improve"),
            ("未評価", self.pending, "pending"),
        ]


@dataclass
class Summary:
    results: list[tuple[str, int]] = field(default_factory=list)
    evaluations: list[tuple[str, int]] = field(default_factory=list)
    majors: list[MajorTally] = field(default_factory=list)
    improve_rows: list = field(default_factory=list)


def summarize(rows) -> Summary:
    summary = Summary()
    by_result = dict.fromkeys(SheetRow.Result.values, 0)
    by_evaluation = dict.fromkeys(SheetRow.Evaluation.values, 0)
    unanswered = unevaluated = 0
    majors: dict[int, MajorTally] = {}
    for row in rows:
        tally = majors.setdefault(row.middle.major_id, MajorTally(name=row.middle.major.name))
        tally.rows += 1
        if row.result:
            by_result[row.result] += 1
        else:
            unanswered += 1
        if row.evaluation:
            by_evaluation[row.evaluation] += 1
        else:
            unevaluated += 1
        if row.evaluation == SheetRow.Evaluation.CONFORM:
            tally.conform += 1
        elif row.evaluation == SheetRow.Evaluation.IMPROVE:
            tally.improve += 1
            summary.improve_rows.append(row)
        else:
            tally.pending += 1
    summary.results = [(label, by_result[value]) for value, label in SheetRow.Result.choices] + [("未記入", unanswered)]
    summary.evaluations = [(label, by_evaluation[value]) for value, label in SheetRow.Evaluation.choices] + [
        ("未評価", unevaluated)
    ]
    summary.majors = list(majors.values())
    return summary


def chart(summary: Summary) -> BarChart:
    """Each 大分類's 中分類 by 評価結果, as parts of that 大分類 (100 % bars):
    大分類 have from one to several 中分類, so raw counts would not compare."""
    bars = [
        Bar(tally.name, [Segment(label, count, css) for label, count, css in tally.bars]) for tally in summary.majors
    ]
    return BarChart("majors", "大分類ごとの評価結果(中分類の数と割合)", "大分類", bars, scale="proportion")


# .xlsx -----------------------------------------------------------------------

THIN = LineSide(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
BOLD = Font(bold=True)


def _a4(ws, *, landscape: bool):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


SHEET_HEAD_ROW = 4  # first of the two heading rows


def sheet_workbook(assessment, rows) -> Workbook:
    """The sheet laid out like the seed's table: two heading rows, one row per 中分類."""
    wb = Workbook()
    ws = wb.active
    ws.title = "アセスメントシート"
    ws["A1"] = SHEET_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"企業名: {assessment.company.name}"
    ws["D2"] = f"専門家: {assessment.expert.name if assessment.expert else ''}"
    ws["F2"] = f"要求事項: {assessment.catalogue.name}"

    top, sub = SHEET_HEAD_ROW, SHEET_HEAD_ROW + 1
    col = 1
    for heading, subs in SHEET_HEADINGS:
        ws.cell(top, col, heading)
        if subs:
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(subs) - 1)
            for offset, text in enumerate(subs):
                ws.cell(sub, col + offset, text)
            col += len(subs)
        else:
            ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
            col += 1
    last_col = col - 1
    for r in (top, sub):
        for c in range(1, last_col + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.fill, cell.border = BOLD, CENTER, HEAD_FILL, BOX

    r = sub + 1
    major_start = {}
    for row in rows:
        values = [
            row.middle.major.name,
            row.middle.name,
            "\n".join(req.code for req in row.middle.requirements.all()),
            requirement_text(row),
            row.get_result_display(),
            row.company_comment,
            *["○" if row.has_procedure(p.value) else "" for p in SheetRow.Procedure],
            row.get_evaluation_display(),
            row.expert_comment,
        ]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.border = BOX
            cell.alignment = CENTER if 7 <= c <= 11 or c == 5 else WRAP
        major_start.setdefault(row.middle.major_id, []).append(r)
        r += 1
    for rows_of_major in major_start.values():
        if len(rows_of_major) > 1:
            ws.merge_cells(start_row=rows_of_major[0], start_column=1, end_row=rows_of_major[-1], end_column=1)

    for c, width in enumerate([14, 20, 10, 50, 12, 30, 7, 7, 7, 7, 12, 34], start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.print_title_rows = f"{top}:{sub}"
    ws.freeze_panes = ws.cell(sub + 1, 3)
    _a4(ws, landscape=True)
    return wb


PLAN_WIDTHS = [18, 40, 20, 30]  # columns A to D, in Excel's character units
LINE_HEIGHT = 15  # points per line of 11 pt text, Excel's own row height


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` characters wide.

    Excel sets no height for wrapped text in a file it did not write itself:
    a row keeps one line's height and hides the rest. A full-width (CJK)
    character takes about two character widths.
    """
    count = 0
    for paragraph in (text or "").split("\n"):
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        count += max(1, math.ceil(units / max(width - 1, 1)))
    return count


def _fit(ws, row: int, *cells: tuple[str, float], least: int = 1) -> None:
    """Make ``row`` tall enough for the tallest of ``cells`` ((text, width of its merged cell))."""
    lines = max([least, *(_lines(text, width) for text, width in cells)])
    ws.row_dimensions[row].height = lines * LINE_HEIGHT + 4


def plan_workbook(plan, meetings) -> Workbook:
    """The 改善計画書 in the order of the seed's 記入例, with its 版 and 合意日."""
    assessment = plan.assessment
    wb = Workbook()
    ws = wb.active
    ws.title = "改善計画書"
    a, b, c, d = PLAN_WIDTHS
    for column, width in enumerate(PLAN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width

    def line(*values, bold=False, merge_to=None):
        r = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value else 1
        for column, value in enumerate(values, start=1):
            cell = ws.cell(r, column, value)
            cell.alignment = WRAP
            if bold:
                cell.font = BOLD
        if merge_to:
            ws.merge_cells(start_row=r, start_column=merge_to[0], end_row=r, end_column=merge_to[1])
        return r

    def day(value) -> str:
        return f"{value.year}年 {value.month}月 {value.day}日"

    r = line("改善計画書", bold=True)
    ws.cell(r, 1).font = Font(bold=True, size=14)
    line("", "", "版", f"第{plan.revision}版")
    line("", "", "作成", day(plan.created_on))
    line("", "", "合意日", day(plan.agreed_on) if plan.agreed_on else "未合意(双方の合意で確定します)")
    line("1. 実施内容(企業が記入)", bold=True)
    first = line("企業名", assessment.company.name, "作成責任者 役職・氏名", assessment.responsible)
    _fit(ws, first, (assessment.company.name, b), (assessment.responsible, d))
    line("専門家氏名", assessment.expert.name if assessment.expert else "")
    meeting_rows = []
    for m in meetings:
        r = line("打合せ日時 (出席者)" if m.number == 1 else "", f"{m.mark} {m.when}", m.attendees, merge_to=(3, 4))
        _fit(ws, r, (f"{m.mark} {m.when}", b), (m.attendees, c + d))
        meeting_rows.append(r)
    if len(meeting_rows) > 1:
        ws.merge_cells(start_row=meeting_rows[0], start_column=1, end_row=meeting_rows[-1], end_column=1)
    last = meeting_rows[-1] if meeting_rows else first + 1
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=4):
        for cell in row:
            cell.border = BOX
    line("2. 評価結果(専門家が記入)", bold=True)
    r = line(plan.evaluation_summary, merge_to=(1, 4))
    _fit(ws, r, (plan.evaluation_summary, a + b + c + d), least=3)
    ws.cell(r, 1).border = BOX
    line("3. 改善計画案(企業が記入)", bold=True)
    line("内容:", "", "実施時期:", "", bold=True, merge_to=(1, 2))
    ws.merge_cells(start_row=ws.max_row, start_column=3, end_row=ws.max_row, end_column=4)
    for item in plan.items.all():
        content, timing = f"{item.number}. {item.content}", f"{item.number}. {item.timing}"
        r = line(content, "", timing, "", merge_to=(1, 2))
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        _fit(ws, r, (content, a + b), (timing, c + d))
        ws.cell(r, 1).border = ws.cell(r, 3).border = BOX
    _a4(ws, landscape=False)
    return wb
