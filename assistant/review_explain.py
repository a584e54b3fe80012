"""The words of a verdict: a reason that names both sides, and a suggestion.

A reason says, in one sentence, what the proposal does (quoted) and which aim of the TOM it helps
or hinders (quoted and cited), so a reader can check both without trusting the tool. A conflict
always comes with a suggestion built from the same two lines: do the aim, not the thing that works
against it. Nothing here is written by the model.
"""

from __future__ import annotations

QUOTE_WORDS = 22


def clip(text: str, words: int = QUOTE_WORDS) -> str:
    """The first words of a quote, with an ellipsis when cut."""
    parts = text.strip().rstrip(".;:,").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _quotes(statements: list[str], most: int = 2) -> str:
    quoted = [f"“{clip(s)}”" for s in statements[:most]]
    more = len(statements) - most
    tail = f" (and {more} more)" if more > 0 else ""
    return " and ".join(quoted) + tail


def supports_reason(statements: list[str], aim: str, marker: str) -> str:
    verb = "help" if len(statements) > 1 else "helps"
    return f"{_quotes(statements)} {verb} the TOM's aim to “{clip(aim)}”{marker}."


def conflicts_reason(statements: list[str], aim: str, against: str, marker: str, helping: int) -> str:
    verb = "work" if len(statements) > 1 else "works"
    also = f", although {helping} other statement{'s' if helping > 1 else ''} of the proposal help{'' if helping > 1 else 's'} it" \
        if helping else ""
    return (f"{_quotes(statements)} {verb} against the TOM's aim to “{clip(aim)}”{marker}: it means "
            f"{_lower(clip(against, 16))}{also}.")


def conflict_suggestion(statement: str, aim: str, against: str) -> str:
    return (f"Rework “{clip(statement, 14)}” so that it helps to {_lower(clip(aim, 20))}, "
            f"rather than {_lower(clip(against, 16))}.")


def silent_reason(aim: str, marker: str) -> str:
    return f"The proposal names no concrete action that helps or hinders the TOM's aim to “{clip(aim)}”{marker}."


def silent_suggestion(aim: str) -> str:
    return f"If the change bears on this, say what it will do to {_lower(clip(aim, 20))}."


def vague_reason(criterion: str, gaps: list[str]) -> str:
    return (f"The proposal states aims but no concrete change, so it cannot be judged against {criterion}; "
            f"it does not say {_join(gaps)}.")


def detail_request(gaps: list[str]) -> str:
    return f"Say {_join(gaps)}." if gaps else "Say what will change, who owns it, how, what it costs and when."


def _join(parts: list[str]) -> str:
    if not parts:
        return "what will change"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text

