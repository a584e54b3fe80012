"""The model interface: a choice among a few words, read at once by llama.cpp or written under a schema."""

import json

import pytest

from assistant.frameworks import get_framework
from assistant.llama_choice import KeptPrefixes
from assistant.llm import Cancelled, LlamaCppLLM, Priority, choose, stoppable
from assistant.prompts import prompt, render
from assistant.review_judge import criterion_block, examples


class Writer:
    """A backend with only `stream`: it writes `reply` and keeps the schemas it was given."""

    name = "writer"

    def __init__(self, reply: str) -> None:
        self.reply, self.schemas = reply, []

    def stream(self, messages, max_tokens, json_schema=None):
        self.schemas.append(json_schema)
        yield self.reply


def test_a_backend_without_choose_writes_the_choice_under_a_schema_of_the_options():
    model = Writer('{"effect": "against"}')
    assert choose(model, [{"role": "user", "content": "?"}], "effect", ("neither", "against")) == "against"
    assert model.schemas[0]["properties"]["effect"]["enum"] == ["neither", "against"]


@pytest.mark.parametrize("reply", ['{"effect": "maybe"}', "not json", '["towards"]'])
def test_a_written_reply_that_holds_no_option_chooses_nothing(reply):
    assert choose(Writer(reply), [{"role": "user", "content": "?"}], "effect", ("towards", "neither")) is None


def test_a_stoppable_model_waits_its_turn_before_choosing_and_stops_when_nobody_waits():
    turns: list[Priority] = []
    model = stoppable(Writer('{"effect": "towards"}'), lambda: False, turns.append, Priority.REVIEW)
    assert choose(model, [{"role": "user", "content": "?"}], "effect", ("towards",)) == "towards"
    assert turns == [Priority.REVIEW]
    gone = stoppable(Writer('{"effect": "towards"}'), lambda: True)
    with pytest.raises(Cancelled):
        choose(gone, [{"role": "user", "content": "?"}], "effect", ("towards",))


JUDGED = [  # (criterion index in the default framework, action)
    (1, "It will add two more management layers: a programme board under the existing directorate boards."),
    (0, "We will replace the separate request forms of each service with one online form."),
    (3, "We will recruit six new posts to administer the boards and their papers."),
    (4, "From April, blue badge applications will only be accepted on paper at the county hall."),
]


@pytest.fixture(scope="module")
def local_llm(corpus) -> LlamaCppLLM:
    """The corpus container's own model (loaded once for all real-model tests), with nothing kept yet."""
    llm = corpus.models.get()
    llm._chooser.prefixes.kept.clear()
    return llm


def judge_messages(criterion, action: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": prompt("review_judge_system")}, *examples(),
            {"role": "user", "content": render("review_judge_user", statement=action, **criterion_block(criterion))}]


@pytest.mark.slow
def test_the_local_model_chooses_what_it_would_write_under_the_enum_grammar(local_llm, corpus_settings):
    """llama.cpp's one-pass choice agrees with the reply the model writes greedily under the JSON grammar."""
    framework = get_framework(corpus_settings, None)
    options = ("neither", "against", "towards")
    schema = {"type": "object", "properties": {"effect": {"type": "string", "enum": list(options)}}, "required": ["effect"]}
    chosen, written = [], []
    for index, action in JUDGED:
        messages = judge_messages(framework.criteria[index], action)
        chosen.append(local_llm.choose(messages, "effect", options))
        written.append(json.loads("".join(local_llm.stream(messages, 12, schema)))["effect"])
    assert chosen == written
    assert {"towards", "against"} <= set(chosen)  # the pairs are not all one answer


@pytest.mark.slow
def test_options_that_share_a_first_token_are_refused(local_llm):
    with pytest.raises(ValueError, match="first token"):
        local_llm.choose([{"role": "user", "content": "?"}], "effect", ("towards", "towardsness"))


@pytest.mark.slow
def test_a_later_review_resumes_each_criterion_from_its_kept_prefix_and_chooses_the_same(local_llm, corpus_settings,
                                                                                         monkeypatch):
    """Kept at the criterion's block, not at what two actions happened to share: other actions resume from it."""
    framework = get_framework(corpus_settings, None)
    chooser = local_llm._chooser
    resumed: list[tuple[int, int]] = []
    load = chooser.prefixes._load
    monkeypatch.setattr(chooser.prefixes, "_load",
                        lambda prefix: (load(prefix), resumed.append((len(prefix), chooser.llama.n_tokens))))

    def review(actions: list[str]) -> list[str | None]:
        return [local_llm.choose(judge_messages(criterion, action), "effect", ("neither", "against", "towards"))
                for criterion in framework.criteria for action in actions]

    def another_call() -> None:
        "".join(local_llm.stream([{"role": "user", "content": "Say hello."}], 3))

    review([JUDGED[0][1], JUDGED[1][1]])
    another_call()
    resumed.clear()
    later = review([JUDGED[2][1], JUDGED[3][1]])
    assert len(resumed) == len(framework.criteria)  # each criterion's block resumed, not read again
    assert all(n == loaded > 900 for n, loaded in resumed)  # instructions, examples and the block, restored
    kept, chooser.prefixes = chooser.prefixes, KeptPrefixes(chooser.llama, 0)
    another_call()
    assert review([JUDGED[2][1], JUDGED[3][1]]) == later  # read from scratch, the same choices
    chooser.prefixes = kept
