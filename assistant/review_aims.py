"""Drafting a criterion's aims from the document's own words: what moving towards it looks like, and
what working against it looks like.

`towards` lines are the criterion's statements cut into their clauses (a bullet such as "design out
repetition and duplication — eliminating duplication of roles" gives two). `against` lines come
from the document's own contrasts: what it wants "rather than" or "instead of", and what it says
it will reduce, remove or do "without the need for" (reducing "management overhead" drafts "more
management overhead"). These are drafts: `tom framework extract` writes them into the YAML and a
person edits them, adding the concrete forms working against an aim takes.
"""

from __future__ import annotations

import re

MIN_WORDS = 3
_CLAUSE_SPLIT_RE = re.compile(r"\s+[—–]\s+|\s+-\s+|;\s+|(?<=[.!?])\s+(?=[A-Z])")
_STOP = r"(?=\s*(?:[,.;:]|\s[—–-]\s|\bso that\b|\bto (?:make|support|enable|increase|inform)\b|$))"
_AGAINST_RULES = (
    (re.compile(rf"\b(?:rather than|instead of)\s+(.+?){_STOP}", re.I), "{}"),
    (re.compile(rf"\b(?:reduc(?:e|es|ed|ing)|minimis\w+|fewer|less|reduction in|cut(?:ting)?)\s+"
                rf"(?:the (?:need for|number of|amount of)\s+)?(?:the\s+|our\s+)?(.+?){_STOP}", re.I), "more {}"),
    (re.compile(rf"\b(?:eliminat\w+|remov\w+|end(?:ing)?|design(?:ing)? out|avoid\w*|without the need for|no longer)\s+"
                rf"(?!and\b|or\b)(?:the\s+|our\s+)?(.+?){_STOP}", re.I), "{}"),
    (re.compile(r"\bnobody is left behind\b", re.I), "people left behind"),
)


def draft_towards(statements: list[str], description: str = "") -> list[str]:
    """The clauses of a criterion's statements (or of its description when it has none)."""
    lines: list[str] = []
    for statement in statements or ([description] if description else []):
        for clause in _CLAUSE_SPLIT_RE.split(statement):
            clause = clause.strip().rstrip(".,;:").strip()
            if len(clause.split()) >= MIN_WORDS and clause not in lines:
                lines.append(clause)
    return lines


def draft_against(statements: list[str], description: str = "") -> list[str]:
    """The document's own contrasts, turned into what working against the criterion looks like."""
    lines: list[str] = []
    for statement in statements or ([description] if description else []):
        for pattern, template in _AGAINST_RULES:
            for match in pattern.finditer(statement):
                words = match.group(1) if match.groups() else ""
                if re.match(r"(in|at|on|by|with|where|through)\b", words):  # "working across … rather than in silos"
                    gerund = re.findall(r"\b(\w+ing)\b", statement[:match.start()])
                    words = f"{gerund[-1]} {words}" if gerund else words
                line = template.format(words.strip()).strip() if "{}" in template else template
                if len(line.split()) >= 2 and line not in lines:
                    lines.append(line)
    return lines
