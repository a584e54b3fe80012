"""The one bridge from blocking work on a thread to an async consumer, shared by the API and the UI.

`stream(work, lanes)` runs `work(sink, should_stop, model_turn)` on its own thread once the
`answers` lane has a place for it, and yields an `Event` per `sink(item)` call, then one "done"
(the result) or "error" (a `Failure` with an HTTP status and a message). Work that needs the model
calls `model_turn(priority)` before its first model call: the thread then gives its `answers`
place back and waits, by priority, for the `model` lane, so retrieval and quotations never queue
behind other users' model calls. Errors are classified once, here: a `UserError` keeps its status
and message, `Busy` is 503 with Retry-After, the time limit 504, and anything else is logged with
its traceback and reported as a plain 500. When the consumer stops early (the client
disconnected, or the time limit passed) `should_stop()` turns true, which the assistant checks at
every token the model writes (raising `Cancelled`), the sink raises `ClientGone` on its next call,
and a wait for the model's turn is cancelled; either way the model's stream is closed at once, its
lock released, and the lanes' places given back when the thread ends. Consumers iterate the
stream under `aclosing`, so it is stopped the moment they stop, not when the garbage collector
finalises it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import anyio

from assistant.errors import UserError
from assistant.llm import Cancelled, ModelTurn, Priority, StopCheck
from ui.lanes import Busy, Lane, Lanes, TimedOut

log = logging.getLogger(__name__)
Sink = Callable[[Any], None]
Work = Callable[[Sink, StopCheck, ModelTurn], Any]
T = TypeVar("T")
UNEXPECTED = "the assistant failed unexpectedly; the error is in the server log"


class ClientGone(Exception):
    """Raised from the sink in the worker thread: nobody is waiting for the rest of this answer."""


class Failure(Exception):
    """How a request failed, as a face shows it: HTTP status, message, and a Retry-After for 503."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def carried_status(error: BaseException) -> int | None:
    """The HTTP status an error of ours carries: `UserError.status`, or the `status` of an ingest error
    such as a name already taken (409) or a store kept busy by another process (503). Only our own
    packages' errors are trusted to carry one; anything else has none."""
    if isinstance(error, UserError):
        return error.status
    status = getattr(type(error), "status", None)
    if isinstance(status, int) and type(error).__module__.partition(".")[0] in ("ingest", "assistant"):
        return status
    return None


def failure_of(error: BaseException) -> Failure:
    """The one mapping from an exception to what the user is told (by its type and status, never its message)."""
    if isinstance(error, Failure):
        return error
    if (status := carried_status(error)) is not None:
        return Failure(status, str(error))
    if isinstance(error, Busy):
        return Failure(503, str(error), error.retry_after)
    if isinstance(error, TimedOut):
        return Failure(504, f"the request took too long ({error}); try again, or ask in extractive mode")
    log.error("request failed: %s: %s", type(error).__name__, error, exc_info=error)
    return Failure(500, UNEXPECTED)


@dataclass
class Event:
    kind: Literal["item", "done", "error"]
    payload: Any  # the sink's item, the work's result, or a Failure


class _Run:
    """One piece of work on its own thread, posting events to the loop that waits for them, and holding a place
    in the `answers` lane, then (once it asks for its turn) in the `model` lane instead."""

    def __init__(self, loop: asyncio.AbstractEventLoop, lanes: Lanes, deadline: float) -> None:
        self.loop, self.lanes, self.deadline = loop, lanes, deadline
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.stopped = threading.Event()
        self.held: tuple[Lane, float] | None = None  # the lane whose place this run holds, since when
        self.waiting: concurrent.futures.Future | None = None  # the wait for the model's turn

    def post(self, callback: Callable[..., None], *args: Any) -> bool:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
            return True
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self.stopped.set()
            return False

    def sink(self, item: Any) -> None:
        if self.stopped.is_set():
            raise ClientGone("the client is no longer waiting for this answer")
        self.post(self.queue.put_nowait, Event("item", item))

    async def enter(self, lane: Lane, priority: Priority = Priority.QUESTION) -> None:
        """Take a place in `lane` (on the loop), giving back the one held before."""
        self.leave()
        await lane.enter(self, self.deadline, priority)
        self.held = (lane, time.perf_counter())

    def leave(self) -> None:
        """Give back the place held, if any (on the loop)."""
        if self.held is not None:
            lane, since = self.held
            self.held = None
            lane.leave(self, time.perf_counter() - since)

    def model_turn(self, priority: Priority) -> None:
        """On the work's thread: wait for a place in the model lane (giving the answers place back)."""
        if self.stopped.is_set():
            raise ClientGone("the client is no longer waiting for this answer")
        try:
            self.waiting = asyncio.run_coroutine_threadsafe(self.enter(self.lanes.model, priority), self.loop)
        except RuntimeError:  # the loop is closed
            raise ClientGone("the client is no longer waiting for this answer") from None
        try:
            self.waiting.result()
        except concurrent.futures.CancelledError:
            raise ClientGone("the client left while waiting for the model") from None

    def cancel(self) -> None:
        """On the loop, when the consumer stops: the work stops at its next step, and a wait for the model ends."""
        self.stopped.set()
        if self.waiting is not None:
            self.waiting.cancel()

    def target(self, work: Work) -> None:
        event: Event | None
        try:
            event = Event("done", work(self.sink, self.stopped.is_set, self.model_turn))
        except (ClientGone, Cancelled):
            log.info("stopped work: its client went away or its time ran out")
            event = None
        except Exception as error:  # last resort for the worker: classified (unexpected ones logged with traceback)
            event = Event("error", failure_of(error))
        # the place is given back before the last event is queued, so the consumer never sees "done" first
        if not self.post(self.leave):
            log.warning("the loop closed before this request's lane place was given back")
        if event is not None:
            self.post(self.queue.put_nowait, event)


async def stream(work: Work, lanes: Lanes) -> AsyncGenerator[Event, None]:
    """Events of `work(sink, should_stop, model_turn)` run in the lanes, ending with "done" or "error"; close it
    (`aclosing`) to stop the work."""
    deadline = anyio.current_time() + lanes.timeout
    run = _Run(asyncio.get_running_loop(), lanes, deadline)
    try:
        await run.enter(lanes.answers)
    except (Busy, TimedOut) as error:
        yield Event("error", failure_of(error))
        return
    threading.Thread(target=run.target, args=(work,), daemon=True, name="tom-work").start()
    try:
        while True:
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    event = await run.queue.get()
            except TimeoutError:
                yield Event("error", failure_of(TimedOut(f"over {lanes.timeout:.0f} s")))
                return
            yield event
            if event.kind != "item":
                return
    finally:
        run.cancel()


async def carrying(awaitable: Awaitable[T]) -> T:
    """Await `awaitable`; an error of ours that carries a status becomes a `Failure` (answered with it)."""
    try:
        return await awaitable
    except Exception as error:
        if carried_status(error) is None:
            raise
        raise failure_of(error) from error


async def result(work: Work, lanes: Lanes, gone: Callable[[], Awaitable[bool]] | None = None) -> Any:
    """The result of `work`, or raises `Failure`; `gone()` is polled so a client that leaves stops the work."""
    async with aclosing(stream(work, lanes)) as events:
        while True:
            event = await _next(events, gone)
            if event.kind == "done":
                return event.payload
            if event.kind == "error":
                raise event.payload


async def _next(events: AsyncIterator[Event], gone: Callable[[], Awaitable[bool]] | None) -> Event:
    """The next event, checking every half second whether the client is still there."""
    if gone is None:
        return await anext(events)
    waiting = asyncio.ensure_future(anext(events))
    try:
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=0.5)
            if done:
                return waiting.result()
            if await gone():
                raise Failure(499, "the client closed the connection")
    finally:
        if not waiting.done():
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
