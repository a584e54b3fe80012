"""Citation resolution and grounding on hand-made passages, with the real embedder."""

import pytest

from assistant.grounding import Grounder, split_claims
from assistant.retrieval import Hit

BOARDS = "Our boards and meetings will be as succinct as possible and have a clear purpose and remit. If they do not, we will not hold them."
WAGES = "People and Skills measures:\n- Reduce the overall wage costs of authority by £40M\n- All staff complete the Cyber Awareness Training"
VALUES = "Our values are:\n- Work as one team.\n- Strive for excellence.\n- Build belonging."


def hit(n: int, text: str) -> Hit:
    return Hit(chunk_id=f"doc.txt#{n:04d}", document="doc.txt", title="Somerset Council TOM", council="Somerset Council",
               kind="tom", section=f"Section {n}", page=None, text=text, score=1.0, rank=n)


SOURCES = [hit(1, BOARDS), hit(2, WAGES), hit(3, VALUES)]


@pytest.fixture(scope="module")
def grounder(embedder):
    return Grounder(embedder, min_support=0.45)


@pytest.mark.parametrize(
    "text, markers",
    [
        ("Boards will be succinct [1].", [1]),
        ("Boards will be succinct[1].", [1]),
        ("Boards will be succinct [1, 3].", [1, 3]),
        ("Boards will be succinct [1][2].", [1, 2]),
        ("Boards will be succinct ［１］.", [1]),
        ("Boards will be succinct 【2】.", [2]),
        ("Boards will be succinct. [1]", [1]),
        ("Boards will be succinct.", []),
    ],
)
def test_markers_are_parsed_in_every_shape(text, markers):
    claims = split_claims(text)
    assert len(claims) == 1
    assert claims[0].markers == markers
    assert claims[0].text == "Boards will be succinct."


def test_unknown_marker_is_removed_and_support_attached(grounder):
    result = grounder.ground("Boards and meetings will be succinct with a clear purpose [7].", SOURCES)
    assert "[7]" not in result.text
    assert result.text.endswith("[1]")
    assert result.citations[0].chunk_id == "doc.txt#0001"


def test_no_markers_at_all_get_citations_attached(grounder):
    result = grounder.ground("The council will reduce the overall wage costs by £40M. Meetings will be as succinct as possible.", SOURCES)
    assert [c.chunk_id for c in result.citations] == ["doc.txt#0002", "doc.txt#0001"]
    assert result.text == "The council will reduce the overall wage costs by £40M. [1] Meetings will be as succinct as possible. [2]"


def test_wrong_marker_is_replaced_by_the_supporting_passage(grounder):
    result = grounder.ground("Reduce the overall wage costs of authority by £40M [1].", SOURCES)
    assert result.citations[0].chunk_id == "doc.txt#0002"


def test_unsupported_sentence_is_dropped(grounder):
    result = grounder.ground("Meetings will be succinct [1]. The mayor rides a purple bicycle to the moon every Tuesday [2].", SOURCES)
    assert "bicycle" not in result.text
    assert result.dropped == ["The mayor rides a purple bicycle to the moon every Tuesday."]


def test_a_number_not_in_the_passage_is_not_supported(grounder):
    result = grounder.ground("Reduce the overall wage costs of authority by £75M [2].", SOURCES)
    assert result.empty and result.citations == []


def test_quotes_are_verbatim_sentences_of_the_cited_chunk(grounder):
    result = grounder.ground("Somerset's values are to work as one team, strive for excellence and build belonging [3]. Boards will be succinct [1].", SOURCES)
    assert result.citations
    for citation in result.citations:
        source = next(s for s in SOURCES if s.chunk_id == citation.chunk_id)
        assert citation.quote and citation.quote in source.text


def test_citations_are_numbered_in_order_of_use(grounder):
    result = grounder.ground("Values: work as one team [3]. Wage costs fall by £40M [2]. Values again: build belonging [3].", SOURCES)
    assert [c.n for c in result.citations] == [1, 2]
    assert result.text.count("[1]") == 2 and "[3]" not in result.text


def test_list_lines_keep_their_own_lines(grounder):
    result = grounder.ground("The values are:\n- Work as one team [3]\n- Build belonging [3]", SOURCES)
    lines = result.text.splitlines()
    assert lines[-2:] == ["- Work as one team [1]", "- Build belonging [1]"]


def dated_hit(text: str) -> Hit:
    return Hit(chunk_id="draft-2021.txt#0003", document="two-councils-draft-2021.txt", title="Consultation draft", council="Two councils",
               kind="draft", section="Culture", page=None, text=text, score=1.0, rank=1, metadata={"date": "2021-03"})


def test_a_spelled_out_number_backs_a_digit(grounder):
    sources = [dated_hit("The council was formed by bringing together five different organisations.")]
    assert not grounder.ground("Five organisations were brought together [1].", sources).empty
    assert not grounder.ground("5 organisations were brought together to form the council [1].", sources).empty
    assert grounder.ground("6 organisations were brought together to form the council [1].", sources).empty


def test_the_documents_own_year_backs_a_claim_naming_it(grounder):
    sources = [dated_hit("Our culture is tight-loose: tight on common tools, loose on local needs.")]
    assert not grounder.ground("The 2021 draft says the culture is tight-loose [1].", sources).empty
    assert grounder.ground("The 2019 draft says the culture is tight-loose [1].", sources).empty


def test_a_bare_reply_is_judged_as_the_answer_to_the_question(grounder):
    sources = [dated_hit("The council was formed by bringing together five different organisations.")]
    question = "How many organisations were brought together to form the council?"
    assert grounder.ground("5", sources).empty  # alone it says nothing
    kept = grounder.ground("5", sources, question)
    assert kept.text == "5 [1]" and kept.citations[0].quote.startswith("The council was formed")
    assert grounder.ground("6", sources, question).empty  # the figure still has to be in the passage
    assert grounder.ground("Yes.", sources, question).empty  # adds nothing to the question: nothing to support


@pytest.mark.parametrize("question", [
    "What does our TOM say about board meetings?",  # the document's bold words are not in the rendered chunk
    "What are the five themes of Somerset's TOM?",  # a list under its lead-in
    "When is the action to develop organisational objectives designed and implemented in the two councils programme?",  # a table row
])
def test_quotes_are_the_original_document_s_words(assistant, corpus_settings, question: str) -> None:
    """A reader checks a citation by searching the document for its quote: it must be there, as written."""
    answer = assistant.ask(question, mode="extractive")
    assert answer.citations, answer.answer
    for citation in answer.citations:
        original = (corpus_settings.corpus_dir / citation.document).read_text(encoding="utf-8")
        assert citation.quote in original, citation.quote


def test_a_streamed_draft_is_passed_on_whole_pieces_at_a_time(grounder):
    """Fed a character at a time, the stream never cuts at an abbreviation, an item number or inside a list
    line, passes each piece on once the next has begun, and ends as the answer."""
    from assistant.grounding import GroundedStream
    from ingest.text import strip_markers

    sources = [hit(1, "Boards, e.g. the Programme Board, will be as succinct as possible. They will have a clear remit."),
               hit(2, "Our values are:\n10. Work as one team.\n11. Build belonging in every team.")]
    draft = ("Boards, e.g. the Programme Board, will be as succinct as possible [1]. They will have a clear remit [1].\n"
             "10. Work as one team [2]\n11. Build belonging in every team [2]")
    streamed: list[str] = []
    stream = GroundedStream(grounder, sources, streamed.append, question="What does the TOM say about boards and values?")
    seen_before_finish = []
    for end in range(1, len(draft) + 1):
        stream.feed(draft[:end])
        so_far = "".join(streamed)
        assert not strip_markers(so_far).rstrip().endswith(("e.g.", "11.", "10.", "Build")), so_far
        seen_before_finish.append(so_far)
    assert "succinct as possible" in seen_before_finish[draft.index("They") + 1], "a sentence is passed on once the next begins"
    assert "Work as one team" in seen_before_finish[-1] and "Build belonging" not in seen_before_finish[-1]
    answer = stream.finish(draft)
    assert "".join(streamed) == answer.text
    assert answer.text.startswith("Boards, e.g. the Programme Board") and answer.text.count("[2]") == 2
