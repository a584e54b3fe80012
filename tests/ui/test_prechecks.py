"""The chat's and the review's input checks have one home, the assistant layer: the checks the faces
make before a request queues (ui/prechecks.py) refuse exactly what the assistant refuses, with the
same error, and accept what it accepts. Small limits make every boundary reachable."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from ui import prechecks

REQUEST = "Does this fit our design principles? "
PROPOSAL = "We will move the library service into the town hall and train staff to help residents online. "
REFUSED = {
    "empty": "", "blank": "  \n\t ", "no words": "???", "a number only": "42 ?",
    "a question over its limit": "why " * 20,  # 80 characters: a question's limit is 60, a proposal's 400
    "a message over both limits": "why " * 150,
    "a pasted proposal over the message limit": REQUEST + PROPOSAL * 5,
}
ACCEPTED = ["What does our TOM say about board meetings?", REQUEST + PROPOSAL * 2]


@pytest.fixture(scope="module")
def small(api_settings, api_parts):
    """A container whose question limit is 60 characters and proposal limit 400."""
    from assistant.components import Components

    settings = api_settings.model_copy(update={"max_question_chars": 60, "max_proposal_chars": 400})
    return Components(settings, embedder=api_parts.embedder, models=api_parts.models)


def refusal(call) -> tuple[type, str, int]:
    with pytest.raises(UserError) as refused:
        call()
    return type(refused.value), str(refused.value), refused.value.status


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_message_is_refused_before_queueing_exactly_as_the_chat_refuses_it(small, name) -> None:
    message = REFUSED[name]
    by_chat = refusal(lambda: small.chat.respond(message, mode="extractive"))
    assert refusal(lambda: prechecks.check_message(small.settings, message)) == by_chat
    assert by_chat[2] in (400, 413)


def test_what_the_chat_accepts_passes_the_prechecks(small) -> None:
    for message in ACCEPTED:
        prechecks.check_message(small.settings, message)
    assert len(ACCEPTED[1]) > small.settings.max_question_chars  # a pasted proposal is held to the proposal's limit


@pytest.mark.parametrize("text", ["", " \r\n ", "x" * 401, "\r\n".join(["y" * 100] * 5)])
def test_a_proposal_is_refused_before_queueing_exactly_as_the_reviewer_refuses_it(small, text) -> None:
    by_reviewer = refusal(lambda: small.reviewer.review(text))
    assert refusal(lambda: prechecks.check_proposal(small.settings, text)) == by_reviewer
    prechecks.check_proposal(small.settings, "x" * 400 + "\r\n")  # the limit is on the folded, stripped text
