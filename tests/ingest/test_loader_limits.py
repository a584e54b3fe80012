"""Malformed DOCX files fail alone with a reason; zip bombs and oversized text are refused before
they are expanded; `tom ingest` carries on past them and prints its summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ingest import loaders
from ingest.loaders import LoadError, load_file
from tests.ingest.conftest import make_docx

PROJECT = Path(__file__).resolve().parents[2]


def rezip(source: Path, target: Path, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None,
          method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of a zip with some members replaced or added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", method) as copy:
        for info in original.infolist():
            copy.writestr(info.filename, (replace or {}).get(info.filename, original.read(info.filename)))
        for name, data in (extra or {}).items():
            copy.writestr(name, data, compresslevel=9)
    return target


def bad_xml_docx(folder: Path) -> Path:
    good = make_docx(folder / "good-source.docx")
    path = rezip(good, folder / "bad-xml.docx", replace={"word/document.xml": b"<w:document><w:body><w:p>unclosed"})
    good.unlink()
    return path


def unsupported_method_docx(folder: Path) -> Path:
    """Members stored, then their compression method rewritten to 99 (WinZip AES), which zipfile cannot read."""
    good = make_docx(folder / "good-source.docx")
    path = rezip(good, folder / "odd-compression.docx", method=zipfile.ZIP_STORED)
    good.unlink()
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offsets = [info.header_offset for info in archive.infolist()]
    for offset in offsets:  # local file headers: method at +8
        data[offset + 8:offset + 10] = (99).to_bytes(2, "little")
    position = data.find(b"PK\x01\x02")
    while position != -1:  # central directory entries: method at +10
        data[position + 10:position + 12] = (99).to_bytes(2, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))
    return path


def zip_bomb_docx(folder: Path) -> Path:
    """A real DOCX carrying 50 MB of text that compresses to about 50 KB."""
    good = make_docx(folder / "good-source.docx")
    path = rezip(good, folder / "bomb.docx", extra={"word/bomb.xml": b"a" * 50_000_000})
    good.unlink()
    return path


def test_a_docx_with_bad_xml_is_refused_with_a_reason(tmp_path: Path):
    with pytest.raises(LoadError, match="corrupt or unreadable DOCX"):
        load_file(bad_xml_docx(tmp_path))


def test_a_docx_with_an_unsupported_compression_method_is_refused(tmp_path: Path):
    with pytest.raises(LoadError, match="corrupt or unreadable DOCX.*compression method"):
        load_file(unsupported_method_docx(tmp_path))


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path, monkeypatch):
    path = zip_bomb_docx(tmp_path)
    assert path.stat().st_size < 200_000
    import docx

    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("the DOCX was opened"))
    with pytest.raises(LoadError, match="would expand to 50,[0-9,]+ bytes.*zip bomb"):
        load_file(path)


def test_extracted_text_is_capped(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(loaders, "MAX_TEXT_CHARS", 1_000)
    (tmp_path / "long.txt").write_text("Long\n\n" + "word " * 400, encoding="utf-8")
    with pytest.raises(LoadError, match="too large.*limit is 1,000 characters"):
        load_file(tmp_path / "long.txt")
    import docx

    document = docx.Document()
    for _ in range(100):
        document.add_paragraph("A paragraph of the long document. " * 2)
    document.save(str(tmp_path / "long.docx"))
    with pytest.raises(LoadError, match="too large"):
        load_file(tmp_path / "long.docx")
    (tmp_path / "short.txt").write_text("Short\n\nA short document.\n", encoding="utf-8")
    assert load_file(tmp_path / "short.txt").document.text


def test_the_cli_reports_bad_docx_files_and_ingests_the_rest(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    bad_xml_docx(folder)
    unsupported_method_docx(folder)
    zip_bomb_docx(folder)
    (folder / "zz-last.txt").write_text("Last\n\nThe last file is still ingested.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "TOM_DATA_DIR": str(tmp_path / "data"),
           "TOM_CORPUS_DIR": str(tmp_path / "corpus")}
    result = subprocess.run([sys.executable, "-m", "ui.cli", "ingest", str(folder), "--json"], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    reasons = {failure["document"]: failure["reason"] for failure in summary["failed"]}
    assert set(reasons) == {"bad-xml.docx", "odd-compression.docx", "bomb.docx"}
    assert "XMLSyntaxError" in reasons["bad-xml.docx"] and "compression method" in reasons["odd-compression.docx"]
    assert "zip bomb" in reasons["bomb.docx"]
    assert summary["added"] == ["zz-last.txt"]
