"""Lanes: separate limits for the kinds of work the server does, so one kind never waits behind another.

Every chat request (question or review) starts in the `answers` lane, where retrieval, the
quotations and a proposal's parsing use the CPU; one that needs the model moves to the `model`
lane when it first calls it (the bridge's `model_turn`), giving its `answers` place back. The model answers
one request at a time, and its lane lets a waiting question in before a waiting review
(`Priority`): a short question never waits behind a queue of long reviews. Uploads and deletes go
one at a time in the `ingest` lane; health, the documents list and feedback run in the `light` lane
and so never wait behind queued model calls. Each lane bounds how many requests may wait for it:
past that bound a request is refused at once (`Busy`, HTTP 503 with Retry-After) instead of piling
up. Places are taken and given back on the event loop's thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from assistant.llm import Priority
from ingest.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Fixed sizes; the queue lengths and the time limit are settings (TOM_MODEL_QUEUE, TOM_REQUEST_TIMEOUT, ...).
ANSWER_WORKERS = 2  # retrieval and extractive answers at once
LIGHT_WORKERS = 4  # health, documents list, feedback at once


class Busy(Exception):
    """Too many requests are already waiting in a lane; `retry_after` is a fair guess in seconds."""

    def __init__(self, lane: str, waiting: int, retry_after: int) -> None:
        super().__init__(f"the server is busy ({waiting} {lane} requests waiting); try again in about {retry_after} s")
        self.lane, self.retry_after = lane, retry_after


class TimedOut(Exception):
    """The request's time limit passed before it finished."""


@dataclass(order=True)
class _Waiter:
    priority: int
    order: int
    borrower: object = field(compare=False)
    granted: anyio.Event = field(compare=False, default_factory=anyio.Event)


class Lane:
    """`capacity` places, a queue in front of them ordered by priority then arrival, and a bound on that queue."""

    def __init__(self, name: str, capacity: int, max_waiting: int | None, typical_seconds: float = 2.0) -> None:
        self.name, self.capacity, self.max_waiting = name, capacity, max_waiting
        self.holders: set[object] = set()
        self._waiting: list[_Waiter] = []  # a heap
        self._order = itertools.count()
        self.typical = typical_seconds  # moving average of how long one request holds the lane

    @property
    def queued(self) -> int:
        """Requests waiting for a place (not those holding one)."""
        return len(self._waiting)

    def check(self) -> None:
        """Refuse at once when the queue is full (called before a response starts, and again on entry)."""
        if self.max_waiting is not None and self.queued >= self.max_waiting:
            raise Busy(self.name, self.queued, self.retry_after())

    def retry_after(self) -> int:
        return max(1, min(300, math.ceil(self.typical * (self.queued + 1) / self.capacity)))

    async def enter(self, borrower: object, deadline: float, priority: int = Priority.QUESTION) -> None:
        """Wait (until `deadline`, on anyio's clock) for a place held by `borrower`; raises Busy or TimedOut.
        A lower `priority` goes first; equal ones in order of arrival."""
        self.check()
        if len(self.holders) < self.capacity and not self._waiting:
            self.holders.add(borrower)
            return
        waiter = _Waiter(priority, next(self._order), borrower)
        heapq.heappush(self._waiting, waiter)
        try:
            with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                await waiter.granted.wait()
        except TimeoutError:
            self._give_up(waiter)
            raise TimedOut(f"waited longer than the time limit for a place in the {self.name} lane") from None
        except BaseException:  # cancelled: the client went away while waiting
            self._give_up(waiter)
            raise

    def _give_up(self, waiter: _Waiter) -> None:
        """A waiter that stops waiting leaves the queue, or passes on the place it was given as it gave up."""
        if waiter.granted.is_set():
            self._release(waiter.borrower)
            return
        self._waiting.remove(waiter)
        heapq.heapify(self._waiting)

    def _release(self, borrower: object) -> None:
        self.holders.discard(borrower)
        while self._waiting and len(self.holders) < self.capacity:
            waiter = heapq.heappop(self._waiting)
            self.holders.add(waiter.borrower)
            waiter.granted.set()

    def leave(self, borrower: object, seconds: float) -> None:
        """Give the place back (on the loop's thread) and learn how long a request takes."""
        self._release(borrower)
        self.learn(seconds)

    def learn(self, seconds: float) -> None:
        self.typical = 0.8 * self.typical + 0.2 * seconds

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking `fn(*args)` on a worker thread within this lane (no time limit: ingestion is not cut short)."""
        borrower = object()
        await self.enter(borrower, math.inf)
        started = time.perf_counter()
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        finally:
            self.leave(borrower, time.perf_counter() - started)


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

    def check(self, mode: str | None, settings: Settings) -> None:
        """Refuse at once (503) a request whose lanes are full: every chat request starts in `answers`; an llm one
        (and a review) then waits for the model."""
        self.answers.check()
        if (mode or settings.answer_mode) == "llm":
            self.model.check()
