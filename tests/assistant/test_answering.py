"""Answering in extractive mode (no model): fast, verbatim, cited, and refusing when it should; in llm mode
(a scripted model) the extractive answer sent first as quotations; and a model that nobody waits for any
more stopped at its next token."""

import re
from types import SimpleNamespace

import pytest

from assistant.answering import QuestionError
from assistant.llm import Priority
from tests.conftest import ScriptedModel, assert_citations_resolve, key_facts_present

WORD_RE = re.compile(r"[A-Za-z£0-9%']+")


@pytest.mark.parametrize(
    "question, facts",
    [
        ("By how much does Somerset want to reduce the overall wage costs of the authority?", ["40M"]),
        ("Which workstream is responsible for procuring a single CRM system for case management?", ["Next level sharing"]),
        ("How often do Merton services refresh their TOMs?", ["biennially"]),
        # a word the documents never use, carrying little of the question's meaning, does not stop the answer
        ("By how much is Somerset supposed to reduce the overall wage costs of the authority?", ["40M"]),
        ("How often are Merton services meant to refresh their TOMs?", ["biennially"]),
    ],
)
def test_extractive_answers_are_cited_and_verbatim(assistant, retriever, corpus_settings, question, facts):
    answer = assistant.ask(question, mode="extractive")
    assert not answer.refused and answer.mode == "extractive"
    assert key_facts_present(answer.answer, facts), answer.answer
    assert answer.citations
    assert_citations_resolve(answer, retriever)
    corpus_words = {w.lower() for p in corpus_settings.corpus_dir.glob("*.txt") for w in WORD_RE.findall(p.read_text())}
    answer_words = {w.lower() for w in WORD_RE.findall(re.sub(r"\[\d+\]", "", answer.answer))}
    assert answer_words <= corpus_words, answer_words - corpus_words


def test_extractive_mode_never_touches_the_model(corpus_settings, retriever, tmp_path):
    """Extractive answers need no model, so they stay fast (measured in bench/bench_answers.py, not timed here)."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.llm import ModelSlot

    def no_model():
        raise AssertionError("extractive mode asked for the model")

    assistant = Assistant(corpus_settings, retriever, AnswerLog(tmp_path / "log.sqlite3"), ModelSlot(corpus_settings, no_model))
    answer = assistant.ask("What does the Smaller and Leaner principle say about duplication?", mode="extractive")
    assert not answer.refused and answer.citations and answer.model == "extractive"


@pytest.mark.parametrize(
    "question",
    [
        "How many parking permits did the council issue last year?",
        "What percentage of council tax rise does the Somerset TOM propose?",
        "How many staff did Somerset Council make redundant in 2024?",
        "Which car parks will Somerset close under its TOM?",
        "What pension scheme does Somerset offer to staff on its transformation programme?",
    ],
)
def test_extractive_refuses_absent_answers_and_shows_closest(assistant, question):
    answer = assistant.ask(question, mode="extractive")
    assert answer.refused and answer.citations == []
    assert "could not find" in answer.answer
    assert answer.closest


def test_a_question_naming_two_documents_is_answered_from_each(assistant, retriever):
    answer = assistant.ask("What do Somerset's TOM and the 2021 two councils draft say about self-service?", mode="extractive")
    assert not answer.refused
    assert {c.document for c in answer.citations} >= {"somerset-target-operating-model-2024.txt",
                                                      "two-councils-tom-consultation-draft-2021.txt"}
    assert_citations_resolve(answer, retriever)


def test_names_of_the_documents_asked_about_do_not_cover_the_question(assistant):
    """Each passage must hold what is asked about the documents, not only the words that name them."""
    answer = assistant.ask("What do Merton's report and the two councils' 2021 draft say about parking?", mode="extractive")
    assert answer.refused


@pytest.mark.xfail(strict=True, reason="known: a named post outweighs the unknown word in the question's meaning "
                   "(it carries 0.06 of it), so an unrelated sentence about Merton's TOM is given")
def test_extractive_refuses_when_the_unknown_word_is_the_question(assistant):
    answer = assistant.ask("What salary does Merton pay its Head of Continuous Improvement?", mode="extractive")
    assert answer.refused


def test_streamed_text_is_the_final_answer(assistant):
    tokens: list[str] = []
    answer = assistant.ask("What are the five themes of Somerset's Target Operating Model?", mode="extractive", on_token=tokens.append)
    assert "".join(tokens) == answer.answer


def test_every_answer_is_recorded(assistant):
    answer = assistant.ask("When were Somerset's organisation design principles agreed?", mode="extractive")
    record = assistant.log.get(answer.answer_id)
    assert record["question"] == "When were Somerset's organisation design principles agreed?"
    assert record["answer"] == answer.answer and record["mode"] == "extractive"
    assert [c["chunk_id"] for c in record["citations"]] == [c.chunk_id for c in answer.citations]
    assistant.log.add_feedback(answer.answer_id, "up", "useful")


def test_follow_up_is_rewritten_with_the_history(assistant):
    first = assistant.ask("What are the nine layers in Merton's TOM?", mode="extractive")
    second = assistant.ask("Who is responsible for monitoring them?", session=first.session, mode="extractive")
    assert second.standalone != second.standalone.split("(")[0].strip()
    assert "Merton" in second.standalone
    assert any(c.document == "merton-tom-scrutiny-report.txt" for c in second.citations)


@pytest.mark.parametrize("question, reason", [("   ", "empty"), ("x" * 5000, "limit"), ("???", "no words"), ("42 ?", "no words"),
                                              ("x" * 10_000_000, "limit")])
def test_bad_questions_get_a_clear_error(assistant, question, reason):
    with pytest.raises(QuestionError, match=reason):
        assistant.ask(question, mode="extractive")


def test_missing_model_falls_back_to_extractive_and_is_not_retried(corpus_settings, retriever, tmp_path):
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.llm import ModelSlot, load_llm

    settings = corpus_settings.model_copy(update={"llm_model_path": tmp_path / "missing.gguf"})
    loads = []
    slot = ModelSlot(settings, lambda: loads.append(1) or load_llm(settings))
    fallback = Assistant(settings, retriever, AnswerLog(tmp_path / "log.sqlite3"), slot)
    first = fallback.ask("By how much does Somerset want to reduce the overall wage costs?", mode="llm")
    assert first.mode == "extractive" and "unavailable" in first.notice and "40M" in first.answer
    second = fallback.ask("What are Somerset Council's values?", mode="llm")
    assert second.mode == "extractive" and "unavailable" in second.notice  # every answer says why it is extractive
    assert loads == [1]  # the load failed once and is not tried again on every question


def test_context_holds_a_passage_from_each_document_the_question_names(assistant):
    question = "Do both the Somerset TOM and the 2021 two councils draft emphasise self-service?"
    hits = assistant.retriever.search(question)
    assert "two-councils-tom-consultation-draft-2021.txt" not in {h.document for h in hits[:5]}  # why the step exists
    context = assistant.contexts.build(hits, question)
    documents = {h.document for h in context}
    assert "two-councils-tom-consultation-draft-2021.txt" in documents
    assert documents & {"somerset-target-operating-model-2024.txt", "somerset-tom-case-study.txt"}
    assert len(context) == assistant.settings.context_passages
    assert any("self-service" in h.text for h in context if h.document.startswith("two-councils"))


class _ScriptedLLM:
    """A model whose 'rewrite' is fixed: repeating the follow-up, or answering it, as small models do."""

    name = "scripted"

    def __init__(self, reply: str | None = None) -> None:
        self.reply = reply

    def stream(self, messages, max_tokens):
        yield self.reply or messages[-1]["content"].split("Last question:")[-1].split("\n")[0].strip()


@pytest.mark.parametrize("reply", [None, "The TOM's theme is about local access to services."])
def test_a_rewrite_that_is_not_a_standalone_question_is_not_trusted(reply):
    from assistant import followups

    history = [{"standalone": "What does Somerset's TOM say about the Locality Working Model?", "answer": "It brings help closer."}]
    standalone = followups.standalone("Which theme of the TOM does it appear under?", history, _ScriptedLLM(reply))
    assert "Locality Working Model" in standalone and standalone.endswith(")")


class _EndlessLLM:
    """A model that would write a thousand words; records how many it had written when its stream was closed."""

    name = "endless"

    def __init__(self) -> None:
        self.sent, self.closed_at = 0, None

    def stream(self, messages, max_tokens, json_schema=None):
        try:
            for _ in range(1000):
                self.sent += 1
                yield "word "
        finally:
            self.closed_at = self.sent


def test_should_stop_ends_the_model_at_its_next_token(corpus_settings, retriever, tmp_path):
    """Once nobody is waiting (`should_stop`), the model's stream is closed at the next token, not at a sentence end."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.llm import Cancelled, ModelSlot

    model = _EndlessLLM()
    asking = Assistant(corpus_settings, retriever, AnswerLog(tmp_path / "log.sqlite3"), ModelSlot(corpus_settings, lambda: model))
    with pytest.raises(Cancelled):
        asking.ask("What does our TOM say about board meetings?", mode="llm", should_stop=lambda: model.sent >= 5)
    assert model.closed_at == 5


QUOTED = "What does our TOM say about board meetings?"


def scripted_assistant(corpus_settings, retriever, tmp_path, model):
    """An assistant of its own (its own grounder) answering in llm mode with `model`."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.llm import ModelSlot

    return Assistant(corpus_settings, retriever, AnswerLog(tmp_path / f"log-{id(model)}.sqlite3"),
                     ModelSlot(corpus_settings, lambda: model))


def test_quotations_arrive_before_the_model_is_asked(corpus_settings, retriever, tmp_path):
    """The model reads its prompt for a second first; the cited quotations come before it is even asked."""

    from assistant.grounding import split_claims

    model = ScriptedModel(delay=0.0, wait=1.0)
    events: list[tuple[str, object, bool]] = []
    answer = scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(
        QUOTED, mode="llm", on_quotes=lambda q: events.append(("quotations", q, model.started.is_set())),
        on_token=lambda t: events.append(("token", t, model.started.is_set())))
    assert not answer.refused and answer.mode == "llm"
    assert [kind for kind, _, _ in events].count("quotations") == 1
    kind, quotations, model_asked = events[0]
    assert kind == "quotations" and not model_asked, events[:2]
    assert any(kind == "token" for kind, _, _ in events[1:])
    assert quotations.citations and "succinct" in quotations.text.lower()
    assert_citations_resolve(SimpleNamespace(answer=quotations.text, citations=quotations.citations), retriever)
    chunks = {c.chunk_id: c.text for c in retriever.store.get([c.chunk_id for c in quotations.citations])}
    cited = {c.n: chunks[c.chunk_id] for c in quotations.citations}
    for claim in split_claims(quotations.text):  # the documents' own sentences, not a paraphrase
        assert any(claim.text in cited[n] for n in claim.markers), claim
    extractive = scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(QUOTED, mode="extractive")
    assert quotations.to_dict() == {"text": extractive.answer, "citations": [c.to_dict() for c in extractive.citations],
                                    "answers": True}


def test_the_final_answer_is_the_same_with_or_without_quotations(corpus_settings, retriever, tmp_path):
    fields = ("answer", "citations", "refused", "mode", "model", "standalone", "closest", "notice", "retrieved")
    shown: list = []
    quoted = scripted_assistant(corpus_settings, retriever, tmp_path, ScriptedModel(delay=0.0)).ask(
        QUOTED, mode="llm", on_quotes=shown.append)
    plain = scripted_assistant(corpus_settings, retriever, tmp_path, ScriptedModel(delay=0.0)).ask(QUOTED, mode="llm")
    assert len(shown) == 1 and not plain.refused
    assert {f: getattr(quoted, f) for f in fields} == {f: getattr(plain, f) for f in fields}


@pytest.mark.parametrize("question, mode", [
    ("How many parking permits did the council issue last year?", "llm"),  # refused before the model is asked
    (QUOTED, "extractive"),
], ids=["refused", "extractive-mode"])
def test_no_quotations_for_a_question_refused_unread_or_in_extractive_mode(corpus_settings, retriever, tmp_path,
                                                                           question, mode):
    shown: list = []
    model = ScriptedModel(delay=0.0)
    answer = scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(question, mode=mode, on_quotes=shown.append)
    assert answer.mode == mode and model.streams == 0
    assert shown == []


@pytest.mark.parametrize("mode", ["extractive", "llm"])
def test_a_table_row_does_not_answer_a_question_that_turns_on_words_no_document_uses(corpus_settings, retriever,
                                                                                     tmp_path, mode):
    """The CRM action row holds most of the question's words, but not the parking permits it turns on (before: the
    row was the answer, in both modes). The model is not asked either."""
    model = ScriptedModel(delay=0.0)
    answer = scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(
        "Which workstream will procure the parking permit CRM system?", mode=mode)
    assert answer.refused and not answer.citations and model.streams == 0, answer.answer


def test_quotations_that_miss_what_was_asked_come_as_the_closest_sentences(corpus_settings, retriever, tmp_path):
    """No duration for "how long": the extractive answer would be refused, so its sentences are sent as the
    closest ones (`answers` false), still verbatim and cited, and the model is asked."""
    question = "How long did it take Somerset to develop its TOM?"
    shown: list = []
    model = ScriptedModel(delay=0.0)
    scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(question, mode="llm", on_quotes=shown.append)
    assert model.streams == 1 and len(shown) == 1
    closest = shown[0]
    assert not closest.answers and closest.citations and closest.to_dict()["answers"] is False
    assert_citations_resolve(SimpleNamespace(answer=closest.text, citations=closest.citations), retriever)
    plain = scripted_assistant(corpus_settings, retriever, tmp_path, model).ask(QUOTED, mode="llm", on_quotes=shown.append)
    assert not plain.refused and shown[-1].answers


def test_an_llm_answer_waits_for_its_turn_after_its_quotations_and_an_extractive_one_never_does(
        corpus_settings, retriever, tmp_path):
    model, events = ScriptedModel(delay=0.0), []
    asking = scripted_assistant(corpus_settings, retriever, tmp_path, model)
    asking.ask(QUOTED, mode="llm", on_quotes=lambda q: events.append("quotations"),
               model_turn=lambda priority: events.append((priority, model.streams)))
    assert events == ["quotations", (Priority.QUESTION, 0)]  # quoted first, then the one wait, before the model
    events.clear()
    asking.ask(QUOTED, mode="extractive", model_turn=events.append)
    assert events == []


def test_a_table_question_in_llm_mode_is_answered_with_its_rows_and_the_model_is_not_asked(
        corpus_settings, retriever, tmp_path):
    """A model phrasing a row takes a cell from the neighbouring column; the row under its headers is the answer."""
    question = "Who is responsible for action 11 in the two councils' programme, and when is it designed?"
    model, shown, turns, streamed = ScriptedModel(delay=0.0), [], [], []
    asking = scripted_assistant(corpus_settings, retriever, tmp_path, model)
    answer = asking.ask(question, mode="llm", on_quotes=shown.append, model_turn=turns.append, on_token=streamed.append)
    assert "".join(streamed) == answer.answer  # the row is shown whole, not cut at "11. " as a sentence end
    assert not answer.refused and answer.mode == "llm" and answer.model == "table rows"
    assert model.streams == 0 and shown == [] and turns == []  # nothing waits for a model that is not asked
    assert "Responsibility/workstream: Next level sharing/digital" in answer.answer
    assert "Design (by end): Q2" in answer.answer
    assert_citations_resolve(answer, retriever)
    extractive = asking.ask(question, mode="extractive")
    assert (answer.answer, answer.citations) == (extractive.answer, extractive.citations)
