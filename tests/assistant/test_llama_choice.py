"""Which prompt prefixes are kept and resumed from, over a stand-in for llama.cpp's memory of one sequence."""

import llama_cpp
import numpy as np
import pytest
from llama_cpp import Llama

from assistant.llama_choice import MIN_KEPT, KeptPrefixes


class Memory:
    """llama.cpp's context as far as KeptPrefixes touches it: sequence 0's cells, removable from a position."""

    ctx = None

    def __init__(self, model: "FakeLlama") -> None:
        self.model = model

    def kv_cache_seq_rm(self, seq: int, start: int, end: int) -> bool:
        self.model.cells = self.model.cells[:start]
        return True


class FakeLlama:
    longest_token_prefix = staticmethod(Llama.longest_token_prefix)

    def __init__(self) -> None:
        self.input_ids = np.zeros(4096, dtype=np.intc)
        self.n_tokens, self.cells, self._requires_eval = 0, [], False
        self._ctx = Memory(self)

    @property
    def _input_ids(self) -> np.ndarray:
        return self.input_ids[:self.n_tokens]

    def read(self, tokens: list[int]) -> None:
        """What `generate` leaves behind: the tokens held, and their cells."""
        self.input_ids[:len(tokens)] = tokens
        self.n_tokens, self.cells = len(tokens), list(tokens)


@pytest.fixture
def model(monkeypatch) -> FakeLlama:
    fake = FakeLlama()
    monkeypatch.setattr(llama_cpp, "llama_state_seq_get_size", lambda ctx, seq: 4 * len(fake.cells))
    monkeypatch.setattr(llama_cpp, "llama_state_seq_get_data", lambda ctx, buffer, size, seq: _write(buffer, fake.cells))
    monkeypatch.setattr(llama_cpp, "llama_state_seq_set_data", lambda ctx, buffer, size, seq: _restore(fake, bytes(buffer)))
    return fake


def _write(buffer, cells: list[int]) -> int:
    data = np.array(cells, dtype="<i4").tobytes()
    buffer[:len(data)] = data
    return len(data)


def _restore(model: FakeLlama, data: bytes) -> int:
    model.cells = np.frombuffer(data, dtype="<i4").tolist()
    return len(data)


INSTRUCTIONS = list(range(1000, 1000 + 2 * MIN_KEPT))
BLOCK_A, BLOCK_B = list(range(2000, 2040)), list(range(3000, 3040))


def question(block: list[int], action: int) -> tuple[list[int], int]:
    """A prompt: instructions, a criterion's block, then the action's line (not shared); and where the line starts."""
    fixed = INSTRUCTIONS + block
    return fixed + [action, action + 1, 7, 7], len(fixed)


def ask(prefixes: KeptPrefixes, model: FakeLlama, block: list[int], action: int) -> list[int]:
    prompt, fixed = question(block, action)
    prefixes.resume(prompt, fixed)
    start = model.n_tokens
    model.read(prompt)
    return prompt[start:]  # what had to be read


def test_the_prefix_two_calls_share_is_kept_up_to_the_question_line_not_beyond(model):
    prefixes = KeptPrefixes(model)
    ask(prefixes, model, BLOCK_A, 1)
    ask(prefixes, model, BLOCK_A, 1)  # the same action twice: shares the whole prompt
    assert [len(k) for k in prefixes.kept] == [len(INSTRUCTIONS) + len(BLOCK_A)]


def test_a_later_call_resumes_from_the_longest_kept_prefix_and_reads_only_the_rest(model):
    prefixes = KeptPrefixes(model)
    ask(prefixes, model, BLOCK_A, 1)
    ask(prefixes, model, BLOCK_A, 5)  # keeps instructions + block A
    ask(prefixes, model, BLOCK_B, 9)  # keeps the instructions alone
    model.read([1, 2, 3])  # another kind of call
    prompt, fixed = question(BLOCK_A, 40)
    prefixes.resume(prompt, fixed)
    assert model.cells == INSTRUCTIONS + BLOCK_A  # the restored memory is that prefix's
    assert model.n_tokens == fixed and model._requires_eval
    assert prompt[model.n_tokens:] == [40, 41, 7, 7]  # all that is left to read


def test_short_shared_prefixes_are_not_kept_and_none_is_kept_when_turned_off(model):
    prefixes = KeptPrefixes(model)
    model.read(INSTRUCTIONS[:MIN_KEPT - 1])
    prefixes.resume(INSTRUCTIONS + [5], len(INSTRUCTIONS))
    assert not prefixes.kept
    off = KeptPrefixes(model, 0)
    ask(off, model, BLOCK_A, 1)
    ask(off, model, BLOCK_A, 5)
    assert not off.kept


def test_the_least_recently_used_prefix_goes_first(model):
    prefixes = KeptPrefixes(model, most=2)
    blocks = [list(range(5000 + 100 * n, 5040 + 100 * n)) for n in range(3)]
    for block in blocks:
        ask(prefixes, model, block, 1)
        ask(prefixes, model, block, 5)
    kept = [key[len(INSTRUCTIONS):] for key in prefixes.kept]
    assert len(prefixes.kept) == 2 and tuple(blocks[0]) not in kept
