"""The ledger as CSV and XLSX, with the Chinese column headers officials expect."""

import csv
import io

from openpyxl import Workbook

from agencyflow.api.schemas.hazards import Ledger

HAZARD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("hazard_id", "隐患编号"),
    ("found_at", "发现时间"),
    ("project_id", "项目编号"),
    ("visit_id", "服务批次"),
    ("level", "隐患等级"),
    ("kind", "隐患类型"),
    ("category", "隐患类别"),
    ("location", "隐患部位"),
    ("description", "隐患内容"),
    ("responsible_person", "整改责任人"),
    ("deadline", "整改期限"),
    ("status", "整改状态"),
    ("overdue", "是否逾期"),
    ("long_unrectified", "是否久拖不改"),
    ("closed_at", "销号时间"),
)
HISTORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("hazard_id", "隐患编号"),
    ("seq", "序号"),
    ("at", "时间"),
    ("kind", "记录类型"),
    ("summary", "内容"),
    ("actor", "记录人"),
    ("corrects_seq", "更正序号"),
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV-injection list, with
the full-width forms a Chinese input method types, which Excel also accepts)."""


def neutral(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote keeps a formula from running."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return neutral(value)
    return value


def ledger_csv(ledger: Ledger) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header in HAZARD_COLUMNS])
    for row in ledger.hazards:
        values = row.model_dump()
        writer.writerow([_cell(values[name]) for name, _ in HAZARD_COLUMNS])
    # A byte-order mark, so that Excel on Chinese Windows opens the UTF-8 as UTF-8.
    return "\ufeff" + out.getvalue()


def ledger_xlsx(ledger: Ledger) -> bytes:
    book = Workbook()
    hazards = book.active
    assert hazards is not None
    hazards.title = "隐患台账"
    hazards.append([header for _, header in HAZARD_COLUMNS])
    for row in ledger.hazards:
        values = row.model_dump()
        hazards.append([_cell(values[name]) for name, _ in HAZARD_COLUMNS])
    history = book.create_sheet("整改记录")
    history.append([header for _, header in HISTORY_COLUMNS])
    for entry in ledger.history:
        values = entry.model_dump()
        history.append([_cell(values[name]) for name, _ in HISTORY_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
