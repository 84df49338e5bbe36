"""Capability test results as an Excel sheet (.xlsx), in the documented layout (README,
"Capability tests"): the first sheet, a header row, then one person per row.

| 统一社会信用代码 | 身份证号 | 姓名 | 成绩 | 是否合格 |

``是否合格`` is 合格 or 不合格 (是/否 are taken too). Rows that fail are named by their row
number in the sheet; a sheet with any such row is refused whole.
"""

import io
import zipfile
from typing import Annotated, Any

from openpyxl import load_workbook
from pydantic import BaseModel, Field, ValidationError

from agencyflow.domain.agency import Name
from agencyflow.domain.capability import MAX_RESULTS
from agencyflow.domain.errors import RuleViolations, Violation
from agencyflow.domain.id_numbers import IdNumber
from agencyflow.domain.uscc import Uscc

COLUMNS = {
    "统一社会信用代码": "agency_uscc",
    "身份证号": "id_number",
    "姓名": "name",
    "成绩": "score",
    "是否合格": "passed",
}
VERDICTS = {"合格": True, "是": True, "不合格": False, "否": False}


class ResultRow(BaseModel):
    """One person's result as the regulators have it: by agency, ID number and name."""

    agency_uscc: Uscc
    id_number: IdNumber
    name: Name
    score: Annotated[float, Field(ge=0, le=100)]
    passed: bool


def _sheet_error(message: str) -> RuleViolations:
    return RuleViolations([Violation(code="capability.sheet", field="file", message=message)])


UNPACKED_MAX = 20 * 2**20
"""Bytes a workbook may unpack to: a sheet of 500 people unpacks to well under 1 MiB, and a
small file that unpacks to gigabytes must not be opened."""


def _cells(content: bytes) -> list[tuple[Any, ...]]:
    not_a_workbook = _sheet_error("the file is not an Excel workbook (.xlsx) that can be read")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_workbook from None
    if unpacked > UNPACKED_MAX:
        raise _sheet_error(f"the workbook unpacks to more than {UNPACKED_MAX} bytes")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # One row more than allowed tells a sheet that is too long without reading it all.
            return list(sheet.iter_rows(max_row=MAX_RESULTS + 2, values_only=True))
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - openpyxl reports a broken part as any error
        raise not_a_workbook from None


def read_rows(content: bytes) -> list[tuple[int, ResultRow]]:
    """The sheet's rows with their row numbers; `RuleViolations` naming every bad row."""
    rows = _cells(content)
    if not rows:
        raise _sheet_error("the sheet is empty")
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise _sheet_error("the first row must be the headings " + " | ".join(COLUMNS))
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    if not body:
        raise _sheet_error("the sheet lists nobody")
    if len(rows) - 1 > MAX_RESULTS:
        raise _sheet_error(f"a sheet holds at most {MAX_RESULTS} people")
    parsed, violations = [], []
    for number, row in body:
        values = dict(zip(COLUMNS.values(), row, strict=False))
        verdict = values.get("passed")
        if isinstance(verdict, str):
            values["passed"] = VERDICTS.get(verdict.strip(), verdict)
        for key in ("agency_uscc", "id_number", "name"):
            if values.get(key) is not None:
                values[key] = str(values[key]).strip()
        try:
            parsed.append((number, ResultRow.model_validate(values)))
        except ValidationError as error:
            violations += [
                Violation(
                    code="capability.row",
                    field=f"rows.{number}.{problem['loc'][0]}",
                    message=f"row {number}, {_heading(problem['loc'][0])}: {problem['msg']}",
                )
                for problem in error.errors()
            ]
    if violations:
        raise RuleViolations(violations)
    return parsed


def _heading(field: object) -> str:
    return next((heading for heading, key in COLUMNS.items() if key == field), str(field))
