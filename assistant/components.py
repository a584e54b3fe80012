"""The composition root: every component built once from one Settings, then passed down.

An entry point (the `tom` CLI, `tom serve`, a benchmark, a test) makes one `Components` and
takes what it needs from it; nothing below reads settings or builds components on its own, and
no module keeps a process-wide instance. Each part is built on first use, so `tom documents`
never loads the language model and `tom ask --mode extractive` never loads it either.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from assistant.llm import LLM, ModelSlot
from ingest.settings import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.answering import Assistant
    from assistant.chat import Chat
    from assistant.conversations import AnswerLog
    from assistant.retrieval import Retriever
    from assistant.review import Reviewer
    from ingest.pipeline import Ingester
    from ingest.store import ChunkStore


class Components:
    """What one process uses, made from `settings`; `llm_factory` replaces the configured model (tests)."""

    def __init__(self, settings: Settings | None = None, llm_factory: "Callable[[], LLM] | None" = None,
                 **shared: object) -> None:
        """`shared` hands in parts already built elsewhere (an `embedder`, a `models` slot), so a
        second container over other data reuses the loaded models instead of loading them again."""
        self.settings = settings or load_settings()
        self._llm_factory = llm_factory
        self._parts: dict[str, object] = dict(shared)
        self._build = threading.RLock()  # two request threads must not build one part twice

    def _once(self, name: str, make: "Callable[[], object]"):
        """The part called `name`, made by `make` the first time it is asked for."""
        with self._build:
            if name not in self._parts:
                self._parts[name] = make()
            return self._parts[name]

    @property
    def store(self) -> "ChunkStore":
        from ingest.store import ChunkStore

        return self._once("store", lambda: ChunkStore(self.settings))

    @property
    def embedder(self):
        from ingest.embedder import load_embedder

        return self._once("embedder", lambda: load_embedder(self.settings))

    @property
    def ingester(self) -> "Ingester":
        from ingest.embedder import TokenCounter
        from ingest.pipeline import Ingester

        return self._once("ingester", lambda: Ingester(self.settings, self.store, self.embedder, TokenCounter(self.settings)))

    @property
    def retriever(self) -> "Retriever":
        from assistant.retrieval import Retriever

        return self._once("retriever", lambda: Retriever(self.settings, self.store, self.embedder))

    @property
    def models(self) -> ModelSlot:
        return self._once("models", lambda: ModelSlot(self.settings, self._llm_factory))

    @property
    def log(self) -> "AnswerLog":
        from assistant.conversations import AnswerLog

        return self._once("log", lambda: AnswerLog(self.settings.db_path))

    @property
    def assistant(self) -> "Assistant":
        from assistant.answering import Assistant

        return self._once("assistant", lambda: Assistant(self.settings, self.retriever, self.log, self.models))

    @property
    def reviewer(self) -> "Reviewer":
        from assistant.review import Reviewer

        return self._once("reviewer", lambda: Reviewer(self.settings, self.store, self.embedder, self.models))

    @property
    def chat(self) -> "Chat":
        from assistant.chat import Chat

        return self._once("chat", lambda: Chat(self.assistant, self.reviewer))
