"""A choice among a few words, read from llama.cpp's scores in one forward pass instead of written.

A review asks the model up to fifteen one-word questions. Writing each reply as JSON under a
grammar costs a token per piece of the reply (about seven) and the grammar's check of every
vocabulary entry at each of them. The option a greedy writer would pick under the enum grammar is
the one whose first token scores highest right after the reply's opening `{"field": "`, so that
one token is all that is computed.

Reading is the rest of the cost (about 55 prompt tokens a second on two cores). llama-cpp-python
reuses the prefix it read last, so the actions asked about one criterion read only themselves;
but each criterion's block is read again in every review. So the prefix two calls in a row share
(instructions, examples and a criterion's block) is kept, as the model's memory of that one
sequence, and a later call resumes from the longest kept prefix of its prompt. llama-cpp-python's
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

import numpy as np

KEPT_PREFIXES = 8  # about 30 MB each at a thousand tokens; a five-criterion review uses six
MIN_KEPT = 64  # a shorter shared prefix is cheaper to read again than to keep
log = logging.getLogger(__name__)


class OnePassChooser:
    """Reads `{"field": "<option>"}` choices from a `llama_cpp.Llama`; the caller holds the model's lock."""

    def __init__(self, llama, kept: int = KEPT_PREFIXES) -> None:
        self.llama = llama
        self.prefixes = KeptPrefixes(llama, kept)

    def choose(self, messages: list[dict[str, str]], field: str, options: Sequence[str]) -> str | None:
        """The option whose first token scores highest after the reply's opening (options must differ in it)."""
        from llama_cpp import LogitsProcessorList

        opening = json.dumps({field: ""})[:-2]  # {"field": "
        prompt = self._prompt_tokens(messages, opening)
        firsts = self._first_tokens(opening, tuple(options))
        allowed = np.array(list(firsts))

        def only_options(_ids, scores):
            masked = np.full_like(scores, -np.inf)
            masked[allowed] = scores[allowed]
            return masked

        self.prefixes.resume(prompt)
        out = self.llama.create_completion(prompt, max_tokens=1, temperature=0.0,
                                           logits_processor=LogitsProcessorList([only_options]))
        written = {self.llama.detokenize([token]).decode("utf-8", "replace"): option for token, option in firsts.items()}
        return written.get(out["choices"][0]["text"])

    def _prompt_tokens(self, messages: list[dict[str, str]], reply_opening: str) -> list[int]:
        """The chat prompt as llama-cpp-python's own chat handler writes it, then the reply's opening."""
        formatted = self._formatter(messages=messages)
        return self._tokens(formatted.prompt + reply_opening, add_bos=not formatted.added_special)

    def _first_tokens(self, opening: str, options: tuple[str, ...]) -> dict[int, str]:
        """Each option's first token as it follows the reply's opening."""
        base = len(self._tokens(opening))
        firsts = {self._tokens(opening + option)[base]: option for option in options}
        if len(firsts) != len(options):
            raise ValueError(f"the options {options} do not differ in their first token")
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

    def __init__(self, llama, most: int = KEPT_PREFIXES) -> None:
        self.llama, self.most = llama, most
        self.kept: OrderedDict[tuple[int, ...], bytes] = OrderedDict()

    def resume(self, prompt: list[int]) -> None:
        """Before reading `prompt`: keep the prefix it shares with what the model holds, if new; then, if a kept
        prefix of it is longer than that, load it, so only the rest is read."""
        llama = self.llama
        shared = llama.longest_token_prefix(llama._input_ids.tolist(), prompt)
        shared = min(shared, len(prompt) - 1)  # the prompt's last token is always read: its scores are the answer
        if self.most and shared >= MIN_KEPT and tuple(prompt[:shared]) not in self.kept:
            self._truncate(shared)
            self._keep(tuple(prompt[:shared]))
        best = max((k for k in self.kept if len(k) < len(prompt) and tuple(prompt[:len(k)]) == k), key=len, default=())
        if len(best) > shared:
            self._load(best)

    def _truncate(self, length: int) -> None:
        self.llama._ctx.kv_cache_seq_rm(0, length, -1)
        self.llama.n_tokens = length

    def _keep(self, prefix: tuple[int, ...]) -> None:
        import llama_cpp

        ctx = self.llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        self.kept[prefix] = bytes(buffer[:written])
        while len(self.kept) > self.most:
            self.kept.popitem(last=False)
        log.debug("kept a %d-token prompt prefix (%d bytes)", len(prefix), written)

    def _load(self, prefix: tuple[int, ...]) -> None:
        import llama_cpp

        data = self.kept[prefix]
        self.kept.move_to_end(prefix)
        self._truncate(0)
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(self.llama._ctx.ctx, buffer, len(data), 0) == 0:
            log.warning("could not restore a kept prompt prefix; it will be read again")
            del self.kept[prefix]
            return
        self.llama.input_ids[:len(prefix)] = prefix
        self.llama.n_tokens = len(prefix)
        self.llama._requires_eval = True
