"""Health checks shared by `tom doctor` and the API's health endpoint."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

from assistant.components import Components
from ingest.offline import OFFLINE_ENV

PACKAGES = ("tom-assistant", "llama-index-core", "chromadb", "sentence-transformers", "torch", "llama-cpp-python", "gradio")


def run_checks(components: Components, load_models: bool = True) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []

    def add(name: str, ok: bool, detail: str) -> None:
        checks.append({"name": name, "ok": ok, "detail": detail})

    settings = components.settings
    add("python", platform.python_version().startswith("3.11"), platform.python_version())
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} missing")
    add("versions", "missing" not in " ".join(versions[:5]), ", ".join(versions))
    unset = [key for key, value in OFFLINE_ENV.items() if _flag(os.environ.get(key)) != _flag(value)]
    add("offline settings", not unset, "all set" if not unset else f"overridden: {', '.join(unset)}")

    from ingest.embedder import embed_model_path

    path = embed_model_path(settings)
    ok = (path / "config.json").is_file()
    detail = str(path)
    if ok and load_models:
        detail += f" ({len(components.embedder.get_query_embedding('test'))}-d)"
    add("embedder", ok, detail)

    add(*_store_check(components))

    add(*_llm_check(settings))
    return checks


def _store_check(components: Components) -> tuple[str, bool, str]:
    """A down server and a broken folder both fail here, with what Chroma said."""
    from chromadb.errors import ChromaError

    settings = components.settings
    where = settings.chroma_url or str(settings.chroma_dir)
    try:
        count = components.store.count()
    except (ChromaError, OSError, ValueError) as error:
        return "store", False, f"{type(error).__name__}: {error} ({where})"
    return "store", count > 0, f"{count} chunks in '{settings.collection}' at {where}" + ("" if count else ": run `tom ingest`")


def _llm_check(settings) -> tuple[str, bool, str]:
    if settings.llm_backend == "openai":
        ok = bool(settings.openai_base_url)
        return "llm", ok, f"OpenAI-compatible server {settings.openai_base_url or '(TOM_OPENAI_BASE_URL unset)'}, model {settings.openai_model}"
    try:
        import llama_cpp
    except ImportError:
        return "llm", False, "llama-cpp-python is not installed (answers fall back to extractive mode)"
    if amx_built(llama_cpp.llama_print_system_info().decode("utf-8", "replace")):
        return "llm", False, ("llama-cpp-python was built with Intel AMX kernels, which crash at the first prompt in"
                              " virtual machines that report AMX: rebuild it as setup.sh does (CMAKE_ARGS with -mno-amx-*)")
    from assistant.model_files import ModelFileError, prepare_model

    try:
        path = prepare_model(settings)
    except ModelFileError as error:
        return "llm", False, str(error)
    return "llm", True, f"llama.cpp with {path.name} ({path.stat().st_size // 1_000_000} MB, verified)"


def amx_built(system_info: str) -> bool:
    """Whether llama.cpp's own report of its build (`llama_print_system_info`) lists an AMX kernel."""
    return any(part.strip().startswith("AMX") and part.strip().endswith("= 1") for part in system_info.split("|"))


def _flag(value: str | None) -> str | None:
    """"1", "true", "True" and "yes" all switch a flag on (Gradio rewrites HF_HUB_DISABLE_TELEMETRY=1 as True)."""
    if value is None:
        return None
    lowered = value.strip().lower()
    return "on" if lowered in ("1", "true", "yes", "on") else "off" if lowered in ("0", "false", "no", "off") else lowered
