"""Is a statement a concrete action, and does a proposal say enough to be judged? Decided by content.

A verdict must rest on something the proposal will actually do, so only concrete actions are
judged and quoted as evidence. A statement is a concrete action when it names a concrete thing
the change touches (a channel, place, post, team, system, record, body, budget…) or a figure,
and is not just an intention or a plan to plan. Word lists here are general kinds, not drawn
from any one proposal:

- THINGS: nouns for what a council change acts on (channels, places, posts and bodies, systems
  and records, money and documents). People words ("residents", "staff") do not count: "better
  for residents and staff" names no change.
- PLANNING: deferring the change ("look at", "review", "scope", "working group", "in due course").
- INTENT: wanting rather than doing ("we want to", "we aim to", "we hope to").
- ASPIRATION: words that describe a wish, not a change ("modernise", "smarter", "efficient",
  "transform", "person-centred", "innovative").

A statement with planning, intent or aspiration words counts only if it still names two
concrete things, or a thing and a figure ("we aim to merge the three helpdesks into one").
A proposal is vague when none of its statements is a concrete action; the reply then asks for
what is missing: the change, who owns it, the process, the cost, the date.
"""

from __future__ import annotations

import logging
import re

from ingest.text import numbers_in, spelled_numbers

log = logging.getLogger(__name__)

THINGS = frozenset("""
website web online internet app apps portal account accounts login email emails e-mail inbox mailbox text texts sms
webchat chat phone phones telephone telephony line lines call calls letter letters post postal paper printed print form
forms leaflet counter counters reception office offices desk desks helpdesk helpdesks kiosk face-to-face appointment
appointments visit visits depot depots centre centres center library libraries hall halls building buildings site
sites hub hubs school schools surgery surgeries unit units room rooms van vans vehicle vehicles fleet shop shops
premises estate car park parking bin bins road roads street streets toilet toilets pool pools gym
posts fte ftes headcount vacancy vacancies role roles tier tiers layer layers manager managers officer officers team
teams crew crews adviser advisers advisor advisors inspector inspectors operative operatives worker workers
therapist therapists assistant assistants receptionist receptionists registrar registrars director directors
leader leaders supervisor supervisors analyst analysts agency contractor contractors provider providers trust
volunteer volunteers panel panels board boards committee committees sub-committee forum forums network networks
rota rotas shift shifts
system systems database databases spreadsheet spreadsheets register registers ledger ledgers record records file files
dataset datasets data dashboard dashboards report reports list lists tablet tablets device devices handheld handhelds
laptop laptops software cloud server servers platform platforms licence licences contract contracts
budget budgets fee fees charge charges price prices payment payments cheque cheques card cards grant grants cost
costs saving savings £ spend funding invoice invoices refund refunds
application applications booking bookings request requests approval approvals sign-off countersign complaint complaints
template templates checklist checklists policy policies procedure procedures survey surveys training session sessions
class classes meeting meetings minutes agenda permit permits licence badge badges certificate
certificates case cases casework referral referrals assessment assessments review-date canteen uniform hi-vis
""".split())
# Things that are only the machinery of planning: naming them names no change
PLANNING_THINGS = frozenset("group groups plan plans proposal proposals options programme project projects strategy "
                            "model approach framework review roadmap vision".split())
PLANNING_RE = re.compile(r"\b(look(ing)? (at|into)|review(ing)? (our|the|how|whether|options)|scop(e|ing)|explor(e|ing)|consider(ing)?"
                         r"|investigat(e|ing)|think(ing)? about|bring (back|forward)|come back|report back with|in due course"
                         r"|(working|project|steering|task and finish|reference) group|no decisions?|more soon|to follow"
                         r"|over the coming (weeks|months)|next steps|early thoughts|options appraisal|feasibility)\b", re.I)
INTENT_RE = re.compile(r"\b(we|i|they|the team|the service|the council)\s+(want|wants|intend|intends|aim|aims|hope|hopes|would like"
                       r"|aspire|aspires|seek|seeks|plan|plans|are keen|is keen|wish|wishes|look to|looks to)\b|\bour (aim|ambition|intention)\b",
                       re.I)
ASPIRATION_RE = re.compile(r"\b(moderni[sz](e|es|ed|ing|ation)|transform(s|ed|ing|ation|ational)?|smarter|better|improve(d|ment|ments)?"
                           r"|efficien(t|cy|cies)|effective(ness)?|innovat(e|ive|ion)|strategic|value-adding|agile|joined[- ]up"
                           r"|(person|people|customer|user|citizen|resident)[- ](centred|centered|focused|focussed|led)|world[- ]class"
                           r"|best[- ]in[- ]class|excellen(t|ce)|great|fit for (the future|purpose)|refresh(ed|ing)?|revamp|reimagin\w*"
                           r"|streamlin(e|ed|ing)|optimi[sz](e|ed|ing|ation)|enhanc(e|ed|ing)|empower(ed|ing|ment)?|holistic|seamless"
                           r"|proactive|dynamic|culture|bring [\w ]{0,20}to life|step change|journey|ambitio(n|us))\b", re.I)
_MONTHS = (r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun"
           r"|jul|aug|sept?|oct|nov|dec)")
DATE_RE = re.compile(rf"\b((\d{{1,2}}(st|nd|rd|th)?\s+)?{_MONTHS}(\s+(19|20)\d\d)?|monday|tuesday|wednesday|thursday|friday"
                     r"|spring|summer|autumn|winter"
                     r"|(19|20)\d\d(/\d\d)?|q[1-4]|next (year|month|week)|(each|every) (day|week|month|quarter|year)"
                     r"|weekly|monthly|quarterly|annually|yearly)\b", re.I)
MONEY_RE = re.compile(r"£\s?\d|\b\d[\d,.]*\s?(k|m|bn|fte)\b|\b(pounds|per cent|percent|fte)\b|\d%", re.I)
OWNER_RE = re.compile(r"\b(team|teams|manager|managers|officers?|director|directors|lead|leads|head of|service|unit|board|panel"
                      r"|cabinet|committee|crews?|staff|advisers?|operatives?|inspectors?|registrars?|we will|our)\b", re.I)
# A change stated as one: "will/must/can/shall <verb>", "to be <done>", "no longer"
CHANGE_RE = re.compile(r"\b(will|shall|must|can|cannot|are to|is to)\s+(not\s+|no longer\s+|now\s+|also\s+|only\s+|still\s+)?"
                       r"(be\s+)?[a-z]{3,}|\bto be [a-z]+ed\b|\bno longer\b", re.I)
WORD_RE = re.compile(r"[a-z£][a-z0-9'-]*", re.I)


def things(text: str) -> set[str]:
    """The concrete things a statement names (see THINGS), without the machinery of planning."""
    words = {w.lower().strip("'-") for w in WORD_RE.findall(text)}
    found = {w[:-1] if w.endswith("s") and w[:-1] in THINGS else w for w in words
             if w in THINGS or (w.endswith("s") and w[:-1] in THINGS)}
    if "£" in text:
        found.add("£")
    return found - PLANNING_THINGS


def figures(text: str) -> set[str]:
    """Figures other than dates: counts, money, percentages."""
    plain = DATE_RE.sub(" ", text)
    return {n for n in numbers_in(plain) if not re.fullmatch(r"(19|20)\d\d", n)} | spelled_numbers(plain)


def is_action(text: str, context: bool = False) -> bool:
    """A concrete action: names what will change (see the module's docstring). Context, and a lead-in
    ("here is what we propose:"), are never one."""
    if context or text.rstrip().endswith(":"):
        return False
    named, counted = things(text), figures(text)
    hedged = bool(PLANNING_RE.search(text) or INTENT_RE.search(text) or ASPIRATION_RE.search(text))
    if hedged:
        return len(named) >= 2 or bool(named and counted)
    return bool(named or counted or CHANGE_RE.search(text))


def missing_details(actions: list[str], lines: list[str]) -> list[str]:
    """What a decision-maker needs that the proposal does not say: change, owner, process, cost, date."""
    everything = " ".join(lines)
    gaps = []
    if not actions:
        gaps.append("what will change (a concrete action, not an aim)")
    if not any(OWNER_RE.search(a) for a in actions):
        gaps.append("who will own and deliver it")
    if not any(len(things(a)) >= 2 for a in actions):
        gaps.append("how it will work (the process, channels, systems or sites affected)")
    if not MONEY_RE.search(everything):
        gaps.append("what it costs or saves")
    if not DATE_RE.search(everything):
        gaps.append("when it happens")
    return gaps
