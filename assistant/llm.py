"""One small LLM interface, two backends chosen by `TOM_LLM_BACKEND`.

`llamacpp` runs the verified local GGUF in-process (loaded once, streaming); `openai` talks to
any OpenAI-compatible server (Ollama, vLLM, Azure OpenAI, llama.cpp's own server) at
`TOM_OPENAI_BASE_URL`. Both take chat messages and an optional JSON schema, which llama.cpp
enforces with a grammar, so a small model cannot break a structured format. A choice among a
few words (`choose`) is read by llama.cpp from one forward pass, without writing a reply.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from enum import IntEnum
from functools import cached_property
from typing import Any, Protocol

from assistant.llama_choice import OnePassChooser
from ingest.settings import Settings

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]


class LLMUnavailable(RuntimeError):
    """The configured model cannot be loaded or reached."""


class LLM(Protocol):
    """`stream` is a generator, so a caller that stops reading can close it (ending the generation)."""

    name: str

    def stream(self, messages: Messages, max_tokens: int, json_schema: dict | None = None) -> Generator[str, None, None]: ...


def complete(llm: LLM, messages: Messages, max_tokens: int, json_schema: dict | None = None) -> str:
    return "".join(llm.stream(messages, max_tokens, json_schema))


def choose(llm: LLM, messages: Messages, field: str, options: Sequence[str]) -> str | None:
    """The option the model's one-field JSON reply `{field: option}` holds (None when it holds none).

    A backend that can read the choice from the model's scores at once (llama.cpp: `choose`) does;
    any other writes the reply under a JSON schema that allows only the options."""
    direct = getattr(llm, "choose", None)
    return direct(messages, field, options) if direct is not None else write_choice(llm, messages, field, options)


def write_choice(llm: LLM, messages: Messages, field: str, options: Sequence[str]) -> str | None:
    """The choice written as the reply `{field: option}` under a JSON schema that allows only the options."""
    schema = {"type": "object", "properties": {field: {"type": "string", "enum": list(options)}}, "required": [field]}
    try:
        value = json.loads(complete(llm, messages, 12, schema)).get(field)
    except (json.JSONDecodeError, AttributeError):
        return None
    return value if value in options else None


StopCheck = Callable[[], bool]  # true once nobody is waiting for the output (a client that left, a time limit)


class Priority(IntEnum):
    """Who goes first when several requests wait for the one model: a question, then a review."""

    QUESTION = 0
    REVIEW = 1


# Called once, before a request's first model call: returns when the request may use the model (a server
# keeps the model for one request at a time, so work that needs no model never waits for it).
ModelTurn = Callable[[Priority], None]


class Cancelled(Exception):
    """Raised at the model's next token once its `StopCheck` is true: the generation is over."""


class StoppableLLM:
    """A model that waits for the request's turn before its first call, asks `should_stop()` at every token
    and, once that is true, closes the model's own stream (ending the generation and releasing its lock) and
    raises `Cancelled`."""

    def __init__(self, llm: LLM, should_stop: StopCheck | None, turn: ModelTurn | None, priority: Priority) -> None:
        self.llm, self.name = llm, llm.name
        self.should_stop = should_stop or (lambda: False)
        self.turn, self.priority = turn, priority

    def _begin(self) -> None:
        """Wait for this request's turn (once), then give up if nobody is waiting any more."""
        if self.turn is not None:
            self.turn(self.priority)
            self.turn = None
        if self.should_stop():
            raise Cancelled("nobody is waiting for this answer any more")

    def stream(self, messages: Messages, max_tokens: int, json_schema: dict | None = None) -> Generator[str, None, None]:
        self._begin()
        with closing(self.llm.stream(messages, max_tokens, json_schema)) as tokens:
            for token in tokens:
                if self.should_stop():
                    raise Cancelled("nobody is waiting for this answer any more")
                yield token

    def choose(self, messages: Messages, field: str, options: Sequence[str]) -> str | None:
        self._begin()
        return choose(self.llm, messages, field, options)


def stoppable(llm: LLM | None, should_stop: StopCheck | None, turn: ModelTurn | None = None,
              priority: Priority = Priority.QUESTION) -> LLM | None:
    """`llm` waiting for `turn(priority)` before its first call and stopping at its next token once
    `should_stop()` is true (as it is when there is neither)."""
    if llm is None or (should_stop is None and turn is None):
        return llm
    return StoppableLLM(llm, should_stop, turn, priority)


class LlamaCppLLM:
    """The local model through llama-cpp-python; one generation at a time (llama.cpp is not re-entrant)."""

    def __init__(self, settings: Settings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as error:
            raise LLMUnavailable(f"llama-cpp-python is not installed ({error})") from None
        from assistant.model_files import ModelFileError, prepare_model

        try:
            path = prepare_model(settings)
        except ModelFileError as error:
            raise LLMUnavailable(str(error)) from None
        self.name = path.stem
        self.settings = settings
        self._lock = threading.Lock()
        try:
            self._llama = Llama(
                model_path=str(path), n_ctx=settings.llm_context, n_threads=settings.llm_threads,
                n_batch=256, verbose=False, seed=0,
            )
        except (ValueError, RuntimeError, OSError) as error:  # llama.cpp raises ValueError for a bad file
            raise LLMUnavailable(f"cannot load {path.name}: {error}") from None
        self._read_once(settings)
        log.info("loaded %s (%d threads, context %d)", path.name, settings.llm_threads, settings.llm_context)

    def _read_once(self, settings: Settings) -> None:
        """Answers, rewrites and reviews each start with their own fixed instructions. llama.cpp reuses
        only the prefix it read last, so a review between two answers makes the next answer read its
        instructions again: a prompt cache keeps the state after each call and resumes from the one
        sharing the longest prefix."""
        from llama_cpp import LlamaRAMCache

        if settings.llm_prompt_cache_mb:
            self._llama.set_cache(LlamaRAMCache(capacity_bytes=settings.llm_prompt_cache_mb << 20))

    def stream(self, messages: Messages, max_tokens: int, json_schema: dict | None = None) -> Generator[str, None, None]:
        kwargs: dict[str, Any] = {}
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        with self._lock:
            for chunk in self._llama.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=self.settings.llm_temperature,
                stream=True, **kwargs,
            ):
                delta = chunk["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta

    def choose(self, messages: Messages, field: str, options: Sequence[str]) -> str | None:
        """The option the reply `{"field": "option"}` would hold, from one forward pass (`assistant.llama_choice`)."""
        with self._lock:
            if self._chooser.usable:
                return self._chooser.choose(messages, field, options)
        return write_choice(self, messages, field, options)

    @cached_property
    def _chooser(self) -> OnePassChooser:
        return OnePassChooser(self._llama, self.settings.llm_kept_prefixes)

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False))


class OpenAICompatibleLLM:
    """Any server speaking the OpenAI chat completions API."""

    def __init__(self, settings: Settings) -> None:
        if not settings.openai_base_url:
            raise LLMUnavailable("TOM_LLM_BACKEND=openai needs TOM_OPENAI_BASE_URL")
        from openai import OpenAI

        self.settings = settings
        self.name = settings.openai_model
        self._client = OpenAI(
            base_url=settings.openai_base_url, api_key=settings.openai_api_key, timeout=settings.openai_timeout, max_retries=1
        )

    def stream(self, messages: Messages, max_tokens: int, json_schema: dict | None = None) -> Generator[str, None, None]:
        from openai import OpenAIError

        kwargs: dict[str, Any] = {}
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": json_schema}}
        try:
            response = self._client.chat.completions.create(
                model=self.settings.openai_model, messages=messages, max_tokens=max_tokens,
                temperature=self.settings.llm_temperature, stream=True, **kwargs,
            )
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except OpenAIError as error:
            raise LLMUnavailable(f"{self.settings.openai_base_url}: {error}") from None


BACKENDS = {"llamacpp": LlamaCppLLM, "openai": OpenAICompatibleLLM}


def load_llm(settings: Settings) -> LLM:
    """The configured backend, loaded now; raises LLMUnavailable saying why not."""
    return BACKENDS[settings.llm_backend](settings)


class ModelSlot:
    """The process's one model, loaded on first use and shared by answers and reviews.

    If it cannot load, the reason is kept and the load is not retried, so answers fall back to
    extractive mode at once instead of failing again on every question.
    """

    def __init__(self, settings: Settings, factory: Callable[[], LLM] | None = None) -> None:
        self.settings = settings
        self._factory = factory or (lambda: load_llm(settings))
        self._llm: LLM | None = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def get(self) -> LLM:
        """The model, loading it if need be; raises LLMUnavailable (every time) if it could not load."""
        with self._lock:
            if self._llm is None and self._error is None:
                try:
                    self._llm = self._factory()
                except LLMUnavailable as error:
                    log.warning("the language model is unavailable: %s", error)
                    self._error = str(error)
            if self._llm is None:
                raise LLMUnavailable(self._error or "not loaded")
            return self._llm

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def name(self) -> str:
        """The model's name, without loading it."""
        if self._llm is not None:
            return self._llm.name
        if self.settings.llm_backend == "openai":
            return self.settings.openai_model
        return self.settings.resolved_llm_path.stem
