"""Lanes: separate limits for the kinds of work the server does, so one kind never waits behind another.

The model answers one request at a time, so llm answers and reviews queue in the `model` lane;
extractive answers share the CPU in the `answers` lane; uploads and deletes go one at a time in
the `ingest` lane; health, the documents list and feedback run in the `light` lane and so never
wait behind queued model calls. Each lane is an anyio `CapacityLimiter` with a bound on how many
requests may wait for it: past that bound the request is refused at once (`Busy`, HTTP 503 with
Retry-After) instead of piling up. Places are taken and given back on the event loop's thread.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from ingest.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Fixed sizes; the queue lengths and the time limit are settings (TOM_MODEL_QUEUE, TOM_REQUEST_TIMEOUT, ...).
ANSWER_WORKERS = 2  # extractive answers at once
LIGHT_WORKERS = 4  # health, documents list, feedback at once


class Busy(Exception):
    """Too many requests are already waiting in a lane; `retry_after` is a fair guess in seconds."""

    def __init__(self, lane: str, waiting: int, retry_after: int) -> None:
        super().__init__(f"the server is busy ({waiting} {lane} requests waiting); try again in about {retry_after} s")
        self.lane, self.retry_after = lane, retry_after


class TimedOut(Exception):
    """The request's time limit passed before it finished."""


class Lane:
    """A capacity limit plus a bound on the queue in front of it."""

    def __init__(self, name: str, capacity: int, max_waiting: int | None, typical_seconds: float = 2.0) -> None:
        self.name, self.capacity, self.max_waiting = name, capacity, max_waiting
        self.limiter = anyio.CapacityLimiter(capacity)
        self.typical = typical_seconds  # moving average of how long one request holds the lane

    @property
    def queued(self) -> int:
        """Requests waiting for a place (not those holding one)."""
        return self.limiter.statistics().tasks_waiting

    def check(self) -> None:
        """Refuse at once when the queue is full (called before a response starts, and again on entry)."""
        if self.max_waiting is not None and self.queued >= self.max_waiting:
            raise Busy(self.name, self.queued, self.retry_after())

    def retry_after(self) -> int:
        return max(1, min(300, math.ceil(self.typical * (self.queued + 1) / self.capacity)))

    async def enter(self, borrower: object, deadline: float) -> None:
        """Wait (until `deadline`, on anyio's clock) for a place held by `borrower`; raises Busy or TimedOut."""
        self.check()
        try:
            with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                await self.limiter.acquire_on_behalf_of(borrower)
        except TimeoutError:
            raise TimedOut(f"waited longer than the time limit for a place in the {self.name} lane") from None

    def leave(self, borrower: object, seconds: float) -> None:
        """Give the place back (on the loop's thread) and learn how long a request takes."""
        self.limiter.release_on_behalf_of(borrower)
        self.learn(seconds)

    def learn(self, seconds: float) -> None:
        self.typical = 0.8 * self.typical + 0.2 * seconds

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking `fn(*args)` on a worker thread within this lane (no time limit: ingestion is not cut short)."""
        self.check()

        def timed() -> T:
            started = time.perf_counter()
            try:
                return fn(*args)
            finally:
                self.learn(time.perf_counter() - started)

        return await anyio.to_thread.run_sync(timed, limiter=self.limiter)


@dataclass
class Lanes:
    """The process's lanes and per-request time limit, made once by the server and shared by API and UI."""

    model: Lane
    answers: Lane
    ingest: Lane
    light: Lane
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "Lanes":
        return cls(
            model=Lane("model", 1, settings.model_queue, typical_seconds=20.0),
            answers=Lane("answer", ANSWER_WORKERS, settings.answer_queue),
            ingest=Lane("ingest", 1, settings.ingest_queue, typical_seconds=5.0),
            light=Lane("light", LIGHT_WORKERS, None, typical_seconds=0.1),
            timeout=settings.request_timeout,
        )

    def for_mode(self, mode: str | None, settings: Settings) -> Lane:
        """llm answers use the model; extractive ones only the CPU."""
        return self.model if (mode or settings.answer_mode) == "llm" else self.answers
