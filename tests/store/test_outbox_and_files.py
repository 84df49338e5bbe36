from pathlib import Path

from sqlalchemy import Engine

from agencyflow.files import FileStore, sniff
from agencyflow.platform.outbox import OutboxPlatform
from tests.unit.test_platform import SUBMISSION


def test_the_outbox_issues_one_receipt_per_report_however_often_it_is_sent(engine: Engine) -> None:
    platform = OutboxPlatform(engine)
    first = platform.submit(SUBMISSION, b"%PDF")
    again = platform.submit(SUBMISSION, b"%PDF")
    other = platform.submit(SUBMISSION.model_copy(update={"project_id": "another"}), b"%PDF")
    assert first == again
    assert first.receipt_number.startswith("ZJAQ-")
    assert other.receipt_number != first.receipt_number


def test_files_are_kept_once_by_content_and_typed_by_content(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    first = store.put(b"%PDF-1.7 x", filename="a.pdf", content_type="application/pdf")
    again = store.put(b"%PDF-1.7 x", filename="b.pdf", content_type="application/pdf")
    assert first.sha256 == again.sha256
    assert store.read(first.sha256) == b"%PDF-1.7 x"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.sha256]
    assert sniff(b"%PDF-1.4") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert sniff(b"GIF89a") is None
