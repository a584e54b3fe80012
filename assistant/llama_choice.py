"""A choice among a few words, read from llama.cpp's scores in one forward pass instead of written.

A review asks the model up to fifteen one-word questions. Writing each reply as JSON under a
grammar costs a token per piece of the reply (about seven) and the grammar's check of every
vocabulary entry at each of them. The option a greedy writer would pick under the enum grammar is
the one whose first token scores highest right after the reply's opening `{"field": "`, so that
one token is all that is computed.

Reading is the rest of the cost (20 to 100 prompt tokens a second on two cores, by host, measured alone).
llama-cpp-python reuses the prefix it read last, so the actions asked about one criterion read only themselves;
but each criterion's block is read again in every review. So the prefix two calls in a row share,
up to the last line of the question (the item asked about: instructions, examples and a
criterion's block), is kept as the model's memory of that one sequence, and a later call resumes
from the longest kept prefix of its prompt. llama-cpp-python's
own `LlamaRAMCache` was not used: it keeps every call's whole state, including a logits buffer of
n_batch x vocabulary floats (155 MB with this model) per entry.
"""

from __future__ import annotations

import ctypes
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama

KEPT_PREFIXES = 8  # about 30 MB each at a thousand tokens; a five-criterion review uses six
MIN_KEPT = 64  # a shorter shared prefix is cheaper to read again than to keep
log = logging.getLogger(__name__)


class OnePassChooser:
    """Reads `{"field": "<option>"}` choices from a `llama_cpp.Llama`; the caller holds the model's lock."""

    def __init__(self, llama: Llama, kept: int = KEPT_PREFIXES) -> None:
        self.llama = llama
        self.prefixes = KeptPrefixes(llama, kept)
        self._firsts: dict[tuple[str, tuple[str, ...]], dict[int, str]] = {}  # a review asks the same options each time

    @property
    def usable(self) -> bool:
        """Only where the model's chat prompt is written from the GGUF's own template, as here (else
        llama-cpp-python uses a named format of its own, which this does not reproduce)."""
        return self.llama.chat_format == "chat_template.default" and "tokenizer.chat_template" in self.llama.metadata

    def choose(self, messages: list[dict[str, str]], field: str, options: Sequence[str]) -> str | None:
        """The option whose first token scores highest after the reply's opening (options must differ in it)."""
        from llama_cpp import LogitsProcessorList

        opening = json.dumps({field: ""})[:-2]  # {"field": "
        prompt, fixed = self._prompt_tokens(messages, opening)
        firsts = self._first_tokens(opening, tuple(options))
        allowed = np.array(list(firsts))

        def only_options(_ids, scores):
            masked = np.full_like(scores, -np.inf)
            masked[allowed] = scores[allowed]
            return masked

        self.prefixes.resume(prompt, fixed)
        out = self.llama.create_completion(prompt, max_tokens=1, temperature=0.0,
                                           logits_processor=LogitsProcessorList([only_options]))
        written = {self.llama.detokenize([token]).decode("utf-8", "replace"): option for token, option in firsts.items()}
        return written.get(out["choices"][0]["text"])

    def _prompt_tokens(self, messages: list[dict[str, str]], reply_opening: str) -> tuple[list[int], int]:
        """The chat prompt as llama-cpp-python's own chat handler writes it, then the reply's opening; and how
        many of its tokens come before the question's last line (the part other calls may share)."""
        formatted = self._formatter(messages=messages)
        add_bos = not formatted.added_special
        prompt = self._tokens(formatted.prompt + reply_opening, add_bos)
        last_line = messages[-1]["content"].rsplit("\n", 1)[-1]
        fixed = self._tokens(formatted.prompt[:formatted.prompt.rfind(last_line)], add_bos)
        return prompt, self.llama.longest_token_prefix(fixed, prompt)

    def _first_tokens(self, opening: str, options: tuple[str, ...]) -> dict[int, str]:
        """Each option's first token as it follows the reply's opening."""
        if (opening, options) in self._firsts:
            return self._firsts[opening, options]
        base = self._tokens(opening)
        firsts = {}
        for option in options:
            tokens = self._tokens(opening + option)
            if tokens[:len(base)] != base or len(tokens) == len(base):
                raise ValueError(f"the option {option!r} does not begin a token of its own after {opening!r}")
            firsts[tokens[len(base)]] = option
        if len(firsts) != len(options):
            raise ValueError(f"the options {options} do not differ in their first token")
        self._firsts[opening, options] = firsts
        return firsts

    def _tokens(self, text: str, add_bos: bool = False) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    @cached_property
    def _formatter(self):
        """The GGUF's own chat template, as `Llama` builds its default chat handler from it."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llama, model = self.llama, self.llama._model
        eos, bos = llama.token_eos(), llama.token_bos()
        return Jinja2ChatFormatter(template=llama.metadata["tokenizer.chat_template"],
                                   eos_token=model.token_get_text(eos) if eos != -1 else "",
                                   bos_token=model.token_get_text(bos) if bos != -1 else "", stop_token_ids=[eos])


class KeptPrefixes:
    """The model's memory (sequence 0) at prompt prefixes that two calls in a row shared, kept to resume from."""

    def __init__(self, llama: Llama, most: int = KEPT_PREFIXES) -> None:
        self.llama, self.most = llama, most
        self.kept: OrderedDict[tuple[int, ...], bytes] = OrderedDict()

    def resume(self, prompt: list[int], fixed: int) -> None:
        """Before reading `prompt`: keep the prefix it shares with what the model holds (up to `fixed` tokens), if
        new; then, if a kept prefix of it is longer than that, load it, so only the rest is read."""
        llama = self.llama
        shared = llama.longest_token_prefix(llama._input_ids.tolist(), prompt)
        shared = min(shared, fixed, len(prompt) - 1)  # the last token is always read: its scores are the answer
        key = tuple(prompt[:shared])
        if key in self.kept:
            self.kept.move_to_end(key)
        elif self.most and shared >= MIN_KEPT and self._truncate(shared):
            self._keep(key)
        best = max((k for k in self.kept if len(k) < len(prompt) and tuple(prompt[:len(k)]) == k), key=len, default=())
        if len(best) > shared:
            self._load(best)

    def _truncate(self, length: int) -> bool:
        """Forget all but the first `length` tokens (False, changing nothing, where the model cannot)."""
        if not self.llama._ctx.kv_cache_seq_rm(0, length, -1):
            return False
        self.llama.n_tokens = length
        return True

    def _keep(self, prefix: tuple[int, ...]) -> None:
        import llama_cpp

        ctx = self.llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        self.kept[prefix] = ctypes.string_at(buffer, written)
        while len(self.kept) > self.most:
            self.kept.popitem(last=False)
        log.debug("kept a %d-token prompt prefix (%d bytes)", len(prefix), written)

    def _load(self, prefix: tuple[int, ...]) -> None:
        import llama_cpp

        data = self.kept[prefix]
        self.kept.move_to_end(prefix)
        if not self._truncate(0):
            return
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(self.llama._ctx.ctx, buffer, len(data), 0) == 0:
            log.warning("could not restore a kept prompt prefix; it will be read again")
            del self.kept[prefix]
            return
        self.llama.input_ids[:len(prefix)] = prefix
        self.llama.n_tokens = len(prefix)
        self.llama._requires_eval = True
