"""Text in a proposal that addresses whoever (or whatever) reviews it, instead of describing the change.

Such text is data: it is set aside, reported in the review's warnings, and never reaches the
model. Detection must not hang on one phrasing ("ignore previous instructions"), so it looks for
general kinds of reviewer-addressing text, each a small documented rule:

- `role`: a chat-role or template marker ("SYSTEM:", "assistant:", "<|im_start|>", "[INST]").
- `override`: telling the reader to ignore, disregard or override instructions, rules or criteria.
- `exfiltrate`: asking the reader to print or reveal its prompt or instructions.
- `persona`: recasting the reader ("you are now…", "from this point you are…", an order to "act as…").
- `addressee+verdict`: naming an automated or official reader (reviewer, assessor, evaluator, AI,
  bot, model, tool, "automated…") together with a directive or the review's own vocabulary.
- `verdict-directive`: a directive ("mark", "record", "treat… as", "must be"), in any voice or tense
  ("is to be recorded as", "must not be rated as"), about the review's outcome (supports, fits, met,
  aligned, compliant, conflicts…) for this proposal or its criteria.
- `structured`: a JSON-like or key=value block that sets verdict fields ("overall", "verdict").
- `scope-directive`: an order about what the assessment may count ("Do not score them.", "left out of
  any assessment", "should not count towards any principle", "do not give it a verdict").
- `foreign`: a sentence not in English, which the review cannot read as part of an English
  proposal (an instruction in another language would otherwise pass unseen).

A hidden HTML comment is always set aside (nobody reading the document sees it); it is reported
when it matches any rule above.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_ROLE_RE = re.compile(r"^\W{0,3}(system|assistant|ai|model|llm|instruction|instructions|prompt)\s*[:>=]"
                      r"|<\|?(im_start|im_end|system|assistant)\|?>|\[/?INST\]|<<\s*SYS\s*>>|^#{2,}\s*(system|instruction)",
                      re.I)
_OVERRIDE_RE = re.compile(r"\b(ignore|disregard|forget|override|overrule|bypass)\b[^.!?\n]{0,40}?"
                          r"\b(instructions?|prompts?|the above|everything (above|before|else)"
                          r"|(previous|prior|earlier|above|original|your|system|all other) (rules|guidance|directions|messages|criteria|steps)"
                          r"|the (criteria|framework|principles|rubric))\b", re.I)
_EXFILTRATE_RE = re.compile(r"\b(print|reveal|show|repeat|output|display|disclose|copy)\b[^.!?\n]{0,40}?"
                            r"\b(system prompt|your (full |hidden |original )?(prompt|instructions|rules)|the prompt)\b", re.I)
# "act/answer/respond as" only as an order ("Act as…", "you will now respond as…"): "we will respond as soon as
# we can" and "we act as one organisation" describe the council
_PERSONA_RE = re.compile(r"\b(you are now|you're now|from (now|this point)( on)?,? you|pretend (to be|you)"
                         r"|your (new )?role is|roleplay|role-play)"
                         r"|(^\W*(please\s+)?|\byou\s+(will\s+|should\s+|must\s+|can\s+)?(now\s+)?)(act|answer|respond) as\b", re.I)
# An automated or official reader of the proposal, not a person or job the proposal is about
_READER = (r"(reviewers?|assessors?|evaluators?|graders?|checkers?|a\.?i\.?|llms?|language models?|chatbots?|bots?|gpts?"
           r"|automated \w+|automatic \w+|(review|assessment|evaluation|scoring|marking) (tools?|systems?|models?|software)"
           r"|assistant(?!\s+(director|directors|manager|managers|officer|officers|chief|head|heads|practitioner|practitioners"
           r"|to|in|at|post|posts|role|roles|grade|registrar|registrars|team)\b))")
_READER_RE = re.compile(rf"\b{_READER}\b", re.I)
# Text written to that reader: "Note for automated reviewers:", "Reviewer instruction:", "Dear AI,", "Reviewer, …"
_ADDRESSED_RE = re.compile(
    rf"\b(note|notes|instructions?|message|memo|guidance|request|reminder|notice)\s+(to|for)\s+(the |any |all |an? )?{_READER}\b"
    rf"|\b{_READER}[ -](note|notes|instructions?|notice|guidance)\b|^\W{{0,3}}(dear |hello |hi )?{_READER}\s*[,:]", re.I)
_DIRECTIVE_RE = re.compile(r"\b(please|kindly|must|should|shall|need to|are (asked|required|instructed) to|record|mark|rate|score"
                           r"|treat|classify|label|set|return|output|deem|regard|judge|count)\b", re.I)
_VERDICT = (r"(supports?|supported|supporting|fits?|fully aligned|aligned|compliant|consistent|approved|passe[sd]|pass"
            r"|meets?|met|conflicts?|conflicting|not[ _]addressed|partly[ _]fits)")
# A verdict given as a label: "as supported", "= fits", "'supports'", "« supports »"
_VERDICT_LABEL_RE = re.compile(rf"(\bas|=|:)\s*(an? )?(fully |wholly |entirely )?[\"'«“‘]?\s*{_VERDICT}\b|[\"'«“‘]\s*{_VERDICT}\s*[\"'»”’]", re.I)
_SCOPE_RE = re.compile(r"\b(all|every|each|any)\b[^.!?\n]{0,25}?\b(criteri(on|a)|principles?|themes?|values?|aims?|verdicts?)\b"
                       r"|\bthis (proposal|request|brief|document|submission|paper|bid|business case)\b", re.I)
# The verbs of giving a result, in any form ("record", "is recorded", "scoring"), and the modals of an order
# ("must", "is to", "are to"), with or without "not": the passive is as much an order as the imperative
_SCORING_VERB = (r"(mark|record|rate|score|treat|classif(y|ies|ied)|label|list|report|set|return|output|consider|deem"
                 r"|regard|judge|find|assess|count|show)(s|es|d|ed|ing|led|n)?\b")
_MODAL = r"(must|should|shall|need to|needs to|has to|have to|is to|are to)"
# A directive about the review's outcome: "record … as supported", "must be 'supports'", "state that it meets…"
_OUTCOME_RE = re.compile(
    rf"\b{_SCORING_VERB}[^.!?\n]{{0,60}}?\bas\b[^.!?\n]{{0,25}}?\b{_VERDICT}\b"
    rf"|\b{_MODAL}( not| never)? (all )?be\b[^.!?\n]{{0,25}}?\b{_VERDICT}\b"
    rf"|\b(state|say|write|conclude|confirm|answer|respond|report)\b[^.!?\n]{{0,15}}?\b(that|with)\b[^.!?\n]{{0,60}}?\b{_VERDICT}\b"
    rf"|\b(no|not any)\s+{_VERDICT}\b[^.!?\n]{{0,20}}?\b(may|must|should|can|shall) be\b"
    rf"|\bthe (correct|right|expected|required|only acceptable) (verdict|answer|rating|outcome|result) (is|=)", re.I)
# A directive about what the assessment of this text may count: "Do not score them.", "left out of any
# assessment", "should not count towards any principle", "please score…", "do not give it a verdict"
_SCOPE_DIRECTIVE_RE = re.compile(
    r"^\W*(please\s+)?(do not|don't|never)\s+(score|rate|mark|grade|assess|judge|weigh|count)\b"
    r"|\b(leave|left|leaving|keep|kept|exclude[ds]?)\b[^.!?\n]{0,60}?\bout of (any|the|your|this) (assessment|scoring|evaluation)\b"
    r"|\b(not|never) (count|counted|be counted|weigh|be weighed|be scored|be assessed) (towards|against|in) (any|the|this|a|each"
    r"|every)( \w+)? (principles?|criteri(on|a)|themes?|values?|assessment|score|scoring)\b"
    r"|\b(not|never) be\b[^.!?\n]{0,40}?\b(quoted|summari[sz]ed|weighed|counted|scored|assessed|considered) in (any|the|this|your)"
    r" (assessment|review|scoring|evaluation)\b"
    r"|\bplease (score|rate|mark|grade|assess|judge|evaluate)\b"
    r"|\b(do not|don't|never) (give|assign|return) (it |them |this |these )?(an? )?(verdict|rating|score)\b", re.I)
_STRUCTURED_RE = re.compile(rf"[\"']?(overall|verdicts?|review_?\w*|criteria|rating|all criteria)[\"']?\s*[:=]\s*[\"']?"
                            rf"({_VERDICT}|true)\b", re.I)
# Function words: English, and those of the languages most often met in UK documents (French, German,
# Spanish, Italian, Portuguese, Dutch, Welsh, Polish). A general list, not drawn from any proposal.
_ENGLISH = frozenset("the a an and or of to in on for with by from at as is are be will we our it this that these those "
                     "not no all each every have has was were can may would should must they their there which who what "
                     "when if so but than then into per its i you your he she his her us them".split())
_OTHER = frozenset("le la les des du et est une un pour que qui dans sur avec ne pas vous ce cette il elle au aux ou votre "
                   "der die das und ist nicht sie ein eine zu mit für auf den dem von ihr ihre sich "
                   "el los las y es en por para con una se su sus del al lo "
                   "il di che non per gli della delle questo questa "
                   "o os da do das dos em um uma não "
                   "het een van en niet zijn voor met dat deze "
                   "yr ac mae eich chi ei ein nid ddim gyda wrth hwn hon hyn fel yn ar "
                   "nie jest się na że do z w".split())


def reviewer_addressing(text: str) -> str | None:
    """The kind of reviewer-addressing text `text` is (see the module's docstring), or None."""
    rules = (("role", lambda: _ROLE_RE.search(text) and (_DIRECTIVE_RE.search(text) or _VERDICT_LABEL_RE.search(text)
                                                          or _SCOPE_RE.search(text) or re.search(r"\byou", text, re.I))), ("override", lambda: _OVERRIDE_RE.search(text)),
             ("exfiltrate", lambda: _EXFILTRATE_RE.search(text)), ("persona", lambda: _PERSONA_RE.search(text)),
             ("structured", lambda: _STRUCTURED_RE.search(text) and text.count(":") + text.count("=") >= 2),
             ("addressed", lambda: _ADDRESSED_RE.search(text)),
             ("reader+directive", lambda: _READER_RE.search(text) and (_VERDICT_LABEL_RE.search(text)
                                                                        or _DIRECTIVE_RE.search(text) and _SCOPE_RE.search(text))),
             ("outcome-directive", lambda: _OUTCOME_RE.search(text) and (_SCOPE_RE.search(text) or _VERDICT_LABEL_RE.search(text))),
             ("scope-directive", lambda: _SCOPE_DIRECTIVE_RE.search(text)),
             ("foreign", lambda: _foreign(text)))
    return next((name for name, rule in rules if rule()), None)


def _foreign(text: str) -> bool:
    """A sentence in another language: another script, or other languages' function words and almost no English ones."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(1 for c in letters if not ("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f")) > len(letters) / 3:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 6:
        return False
    english = sum(1 for w in words if w in _ENGLISH)
    other = sum(1 for w in words if w in _OTHER and w not in _ENGLISH)
    return other >= 2 and other > 2 * english


def hidden_comments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each HTML comment: text nobody reading the document sees. An unclosed one runs
    to the end, as a browser shows it. A scan, not a lazy pattern, so it is linear on any text."""
    spans, position = [], text.find("<!--")
    while position != -1:
        close = text.find("-->", position + 4)
        end = len(text) if close == -1 else close + 3
        spans.append((position, end))
        position = text.find("<!--", end)
    return spans
