"""The lanes' queue on its own: a waiting question goes before a waiting review, equal priorities go in
order of arrival, a full queue is refused at once, and a waiter that gives up (its time ran out, or
its client left, even in the very step its place was handed to it) never keeps a place."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from assistant.llm import Priority
from ui.lanes import Busy, Lane, TimedOut


def in_own_loop(test):
    """Run the async test in a loop of its own thread (the browser tests may hold this thread's loop)."""
    def run() -> None:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(anyio.run, test).result(60)
    run.__name__, run.__doc__ = test.__name__, test.__doc__
    return run


async def wait_in(lane: Lane, name: str, priority: Priority, order: list[str], hold: anyio.Event) -> None:
    """Take a place, note who got it, hold it until `hold` is set, give it back."""
    await lane.enter(name, math.inf, priority)
    try:
        order.append(name)
        await hold.wait()
    finally:
        lane.leave(name, 0.0)


async def queued(lane: Lane, count: int) -> None:
    with anyio.fail_after(5):
        while lane.queued != count:
            await anyio.sleep(0.01)


@in_own_loop
async def test_a_waiting_question_goes_before_a_waiting_review_that_came_first() -> None:
    lane, order, hold = Lane("model", 1, 8), [], anyio.Event()
    await lane.enter("holder", math.inf)
    async with anyio.create_task_group() as group:
        group.start_soon(wait_in, lane, "review 1", Priority.REVIEW, order, hold)
        await queued(lane, 1)
        group.start_soon(wait_in, lane, "review 2", Priority.REVIEW, order, hold)
        await queued(lane, 2)
        group.start_soon(wait_in, lane, "question", Priority.QUESTION, order, hold)
        await queued(lane, 3)
        lane.leave("holder", 0.0)
        hold.set()
    assert order == ["question", "review 1", "review 2"]
    assert not lane.holders and lane.queued == 0


@in_own_loop
async def test_a_full_queue_is_refused_at_once() -> None:
    lane, hold = Lane("model", 1, 1), anyio.Event()
    await lane.enter("holder", math.inf)
    async with anyio.create_task_group() as group:
        group.start_soon(wait_in, lane, "waiting", Priority.QUESTION, [], hold)
        await queued(lane, 1)
        with pytest.raises(Busy) as refused:
            await lane.enter("one too many", math.inf)
        assert refused.value.retry_after >= 1
        lane.leave("holder", 0.0)
        hold.set()
    assert not lane.holders


@in_own_loop
async def test_a_waiter_whose_time_runs_out_leaves_the_queue() -> None:
    lane = Lane("model", 1, 8)
    await lane.enter("holder", math.inf)
    with pytest.raises(TimedOut):
        await lane.enter("impatient", anyio.current_time() + 0.1)
    assert lane.queued == 0
    lane.leave("holder", 0.0)
    assert not lane.holders
    await lane.enter("next", math.inf)  # the place is free, not promised to the one that gave up
    assert lane.holders == {"next"}


@in_own_loop
async def test_a_waiter_cancelled_as_its_place_is_handed_over_passes_it_on() -> None:
    lane, order, hold = Lane("model", 1, 8), [], anyio.Event()
    await lane.enter("holder", math.inf)
    async with anyio.create_task_group() as group:
        async with anyio.create_task_group() as leaving:
            leaving.start_soon(wait_in, lane, "leaves", Priority.QUESTION, order, hold)
            await queued(lane, 1)
            group.start_soon(wait_in, lane, "stays", Priority.REVIEW, order, hold)
            await queued(lane, 2)
            leaving.cancel_scope.cancel()  # the client of "leaves" goes...
            lane.leave("holder", 0.0)  # ...and in the same step the place is handed to it, before it wakes
        with anyio.fail_after(5):
            while not order:
                await anyio.sleep(0.01)
        assert order == ["stays"] and lane.holders == {"stays"}
        hold.set()
    assert not lane.holders and lane.queued == 0


@in_own_loop
async def test_run_holds_a_place_while_its_thread_works() -> None:
    lane, seen = Lane("ingest", 1, 8), []
    assert await lane.run(lambda: seen.append(set(lane.holders)) or "done") == "done"
    assert len(seen[0]) == 1 and not lane.holders
