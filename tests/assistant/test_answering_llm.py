"""Answers from the real default model (Qwen2.5-Coder-1.5B GGUF through llama.cpp): slow, CI runs them."""

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import assert_citations_resolve, free_port, key_facts_present

pytestmark = pytest.mark.slow

ANSWERABLE = [
    ("fact", "When were Somerset's organisation design principles agreed?", ["December 2023"]),
    ("list", "What are the five themes of Somerset's Target Operating Model?", ["People and Skills", "Digital and Technology", "Governance"]),
    ("number", "By how much does Somerset want to reduce the overall wage costs of the authority?", ["40M | 40 million"]),
    ("table row", "Which workstream is responsible for procuring a single CRM system for case management?", ["Next level sharing"]),
    ("everyday words", "What does our TOM say about board meetings?", ["succinct | clear purpose | remit | fewer"]),
]
ABSENT = [
    "How many parking permits did the council issue last year?",
    "What is the total budget allocated to Somerset's TOM programme in 2025?",
    "Which consultancy firm was paid to write Somerset's TOM and how much did it cost?",
]


@pytest.mark.parametrize("kind, question, facts", ANSWERABLE, ids=[a[0] for a in ANSWERABLE])
def test_answerable_questions_carry_their_key_facts(assistant, retriever, kind, question, facts):
    streamed: list[str] = []
    answer = assistant.ask(question, mode="llm", on_token=streamed.append)
    drafter = "table rows" if kind == "table row" else "qwen2.5-coder-1.5b"  # a row is quoted, not phrased
    assert answer.mode == "llm" and answer.model.startswith(drafter)
    assert not answer.refused, answer.answer
    assert key_facts_present(answer.answer, facts), answer.answer
    assert_citations_resolve(answer, retriever)
    assert "".join(streamed) == answer.answer


@pytest.mark.xfail(reason="known: the 1.5B model lists the behaviours under the first value instead of the three value names", strict=False)
def test_values_list_names_all_three_values(assistant):
    answer = assistant.ask("What are Somerset Council's three values?", mode="llm")
    assert key_facts_present(answer.answer, ["one team", "excellence", "belonging"]), answer.answer


@pytest.mark.parametrize("question", ABSENT)
def test_absent_answers_are_refused(assistant, question):
    answer = assistant.ask(question, mode="llm")
    assert answer.refused, answer.answer
    assert answer.citations == [] and answer.closest


def test_two_turn_conversation_resolves_the_follow_up(assistant, retriever):
    first = assistant.ask("What is the draft TOM's 'User-centric' design principle?", mode="llm")
    assert not first.refused
    second = assistant.ask("When will it be launched?", session=first.session, mode="llm")
    assert second.standalone != "When will it be launched?"
    assert not second.refused, (second.standalone, second.answer)
    assert "October 2024" in second.answer
    assert_citations_resolve(second, retriever)


@pytest.fixture
def openai_server(corpus_settings):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("openai_server.py")), str(corpus_settings.resolved_llm_path), str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if httpx.get(f"{base}/v1/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the OpenAI-compatible test server did not start: " + server.stderr.read().decode()[-2000:])
    yield base
    server.terminate()
    server.wait(timeout=30)


def test_openai_compatible_backend_answers_from_a_real_model(openai_server, corpus_settings, retriever, tmp_path):
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.llm import ModelSlot

    settings = corpus_settings.model_copy(
        update={"llm_backend": "openai", "openai_base_url": f"{openai_server}/v1", "openai_model": "served-gguf"}
    )
    remote = Assistant(settings, retriever, AnswerLog(tmp_path / "log.sqlite3"), ModelSlot(settings))
    answer = remote.ask("By how much does Somerset want to reduce the overall wage costs of the authority?", mode="llm")
    assert answer.model == "served-gguf" and answer.mode == "llm"
    assert not answer.refused and "40M" in answer.answer
    assert_citations_resolve(answer, retriever)
    assert httpx.get(f"{openai_server}/calls").json()["n"] >= 1


def test_quotations_arrive_before_the_first_model_token(assistant, retriever):
    """The model reads its ~870-token prompt for seconds on 2 cores: the cited quotations come before its first word."""
    from types import SimpleNamespace

    assistant.models.get()  # loaded already, as in a running server
    marks: list[tuple[str, float, object]] = []
    started = time.perf_counter()
    answer = assistant.ask("What does our TOM say about board meetings?", mode="llm",
                           on_quotes=lambda q: marks.append(("quotations", time.perf_counter() - started, q)),
                           on_token=lambda t: marks.append(("token", time.perf_counter() - started, t)))
    kinds = [kind for kind, _, _ in marks]
    assert kinds[0] == "quotations" and kinds.count("quotations") == 1 and "token" in kinds, kinds
    _, quoted_at, quotations = marks[0]
    first_token_at = next(at for kind, at, _ in marks if kind == "token")
    print(f"quotations after {quoted_at:.2f} s, first phrased token after {first_token_at:.2f} s, "
          f"answer after {time.perf_counter() - started:.2f} s")
    assert quoted_at < first_token_at
    assert "succinct" in quotations.text.lower() and quotations.citations
    assert_citations_resolve(SimpleNamespace(answer=quotations.text, citations=quotations.citations), retriever)
    assert answer.mode == "llm" and answer.model.startswith("qwen2.5-coder-1.5b") and not answer.refused


def test_the_prompt_cache_resumes_an_answer_after_a_rewrite_with_the_same_words(corpus_settings, retriever, tmp_path):
    """With TOM_LLM_PROMPT_CACHE_MB the state after an answer is kept; after a follow-up rewrite (other
    instructions) the next answer resumes from it, and says exactly what it says without the cache."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.followups import standalone
    from assistant.llm import ModelSlot

    question = "By how much does Somerset want to reduce the overall wage costs of the authority?"
    texts = {}
    for cache_mb in (0, 512):
        settings = corpus_settings.model_copy(update={"llm_prompt_cache_mb": cache_mb})
        slot = ModelSlot(settings)
        assistant = Assistant(settings, retriever, AnswerLog(tmp_path / f"log{cache_mb}.sqlite3"), slot)
        first = assistant.ask(question, mode="llm")
        standalone("And who agreed it?", [{"standalone": question, "answer": first.answer}], slot.get())
        llama, resumed = slot.get()._llama, []
        load_state = llama.load_state
        llama.load_state = lambda state: (resumed.append(len(state.input_ids)), load_state(state))[1]
        texts[cache_mb] = assistant.ask(question, mode="llm").answer
        # with the cache the answer resumed from the state saved after the first one, past the rewrite's instructions
        assert (len(resumed) == 1 and resumed[0] > 200) if cache_mb else resumed == []
    assert texts[0] == texts[512] and "40M" in texts[0]


def test_a_focused_prompt_still_answers_from_the_lines_it_keeps(corpus_settings, retriever, tmp_path, corpus):
    """With TOM_SOURCE_CHARS the model reads fewer characters and still writes the cited fact."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog

    settings = corpus_settings.model_copy(update={"source_chars": 2000})
    focused = Assistant(settings, retriever, AnswerLog(tmp_path / "log.sqlite3"), corpus.models)
    question = "What did Somerset's project lead do when board meetings were cancelled?"
    context = focused.contexts.build(retriever.search(question), question)
    whole = sum(len(hit.text) for hit in context)
    assert len(focused.model_sources(question, context)) < whole
    answer = focused.ask(question, mode="llm")
    assert not answer.refused and "video" in answer.answer.lower(), answer.answer
    assert_citations_resolve(answer, retriever)
