"""Saving an uploaded file: its name checked, its size counted as it is written, into a folder of ours.

A name becomes a file in the corpus folder and a document id shown in every face, so it must be
a plain base name: no path parts, no leading dot, no control characters or invisible Unicode
formatting (bidi overrides can make "exe.txt" read as "txt.exe"), and at most 255 bytes in UTF-8
(the file-system limit).
"""

from __future__ import annotations

import logging
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from assistant.errors import TooLarge, UserError
from ingest.loaders import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)
MAX_NAME_BYTES = 255
T = TypeVar("T")


class UploadNameError(UserError):
    """A file name that cannot become a document's name."""


class UnsupportedUpload(UserError):
    status = 415


class UploadTooLarge(TooLarge):
    """An upload over TOM_MAX_UPLOAD_BYTES."""


class NotIngested(UserError):
    """A file that was read but could not be ingested (empty, corrupt, no text)."""

    status = 422


def check_name(name: str | None) -> str:
    """`name` if it is acceptable as a document's file name; raises UploadNameError or UnsupportedUpload."""
    name = name or ""
    if not name or name.startswith(".") or any(mark in name for mark in ("/", "\\", "..")):
        raise UploadNameError(f"unacceptable file name {name!r}: give a plain file name")
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        raise UploadNameError(f"unacceptable file name {name!r}: it holds control or invisible formatting characters")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UploadNameError(f"the file name is {len(name.encode('utf-8'))} bytes in UTF-8; the limit is {MAX_NAME_BYTES}")
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedUpload(f"{name}: unsupported format; use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    return name


def save(name: str | None, source: BinaryIO, folder: Path, limit: int) -> Path:
    """Write `source` to `folder/name` after checking the name; refuses (413) once it passes `limit` bytes."""
    path = folder / check_name(name)
    size = 0
    with path.open("wb") as sink:
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(f"{path.name} is over the upload limit of {limit} bytes")
            sink.write(chunk)
    return path


def with_saved(name: str | None, source: BinaryIO, limit: int, use: Callable[[Path], T]) -> T:
    """`use(path)` on the upload saved in a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tom-upload-") as folder:
        return use(save(name, source, Path(folder), limit))
