"""Role answers: job titles and authority statements in English and Spanish.

Owns ``parse_role``: "VP Sales", "soy la directora comercial", "my boss decides" -> a buying-authority class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.numbers import MAX_CHARS

DECISION_MAKER = "decision_maker"
INFLUENCER = "influencer"
INDIVIDUAL = "individual"
NO_AUTHORITY = "no_authority"

# Higher wins when someone states two titles ("student and co-founder").
_RANK = {NO_AUTHORITY: 0, INDIVIDUAL: 1, INFLUENCER: 2, DECISION_MAKER: 3}
_LABEL = {
    DECISION_MAKER: "a decision-maker",
    INFLUENCER: "an influencer",
    INDIVIDUAL: "an individual-contributor",
    NO_AUTHORITY: "a no-buying-authority",
}

# Titles, most specific first within a class; matching keeps the longest overlapping title,
# so "product owner" beats "owner" and "account manager" beats "manager".
_TITLES: dict[str, tuple[str, ...]] = {
    DECISION_MAKER: (
        r"owners?",
        r"co[\s-]?owners?",
        r"business\s+owner",
        r"founders?",
        r"co[\s-]?founders?",
        r"co[\s-]?fundador(?:a|es)?",
        r"fundador(?:a|es)?",
        r"c\.?\s?[eotmrfi]\.?\s?o\b\.?",
        r"chief\s+\w+(?:\s+\w+)?\s+officer",
        r"c[\s-]?level",
        r"c[\s-]?suite",
        r"s\.?v\.?p\.?",
        r"e\.?v\.?p\.?",
        r"v\.?p\.?",
        r"vice[\s-]?president(?:e|a)?",
        r"vicepresident(?:e|a)",
        r"director(?:a|es)?",
        r"dir\.",
        r"head\s+of",
        r"managing\s+partner",
        r"partner",
        r"soci[oa]",
        r"president(?:e|a)?",
        r"managing\s+director",
        r"general\s+manager",
        r"gerente\s+general",
        r"consejer[oa]\s+delegad[oa]",
        r"due[nñ][oa]",
        r"propietari[oa]",
        r"proprietor",
        r"chair(?:man|woman|person)?",
        r"board\s+member",
        r"administrador(?:a)?\s+[uú]nic[oa]",
        r"gm",
    ),
    INFLUENCER: (
        r"managers?",
        r"gerente",
        r"jef[ea](?:\s+de\s+\w+)?",
        r"team\s+lead(?:er)?",
        r"tech\s+lead",
        r"l[ií]der\s+de\s+equipo",
        r"responsable\s+de",
        r"supervisor(?:a)?",
        r"consultant",
        r"consultor(?:a)?",
        r"advisor",
        r"adviser",
        r"asesor(?:a)?",
        r"encargad[oa]",
        r"product\s+owner",
        r"assistant\s+manager",
        r"project\s+lead",
        r"lead\s+(?:engineer|developer|architect)",
        r"architect",
        r"arquitect[oa]",
    ),
    INDIVIDUAL: (
        r"engineer",
        r"ingenier[oa]",
        r"developer",
        r"dev",
        r"desarrollador(?:a)?",
        r"programador(?:a)?",
        r"programmer",
        r"analyst",
        r"analista",
        r"specialist",
        r"especialista",
        r"assistant",
        r"asistente",
        r"secretar(?:y|i[oa])",
        r"coordinator",
        r"coordinador(?:a)?",
        r"sdr",
        r"bdr",
        r"account\s+executive",
        r"account\s+manager",
        r"sales\s+rep(?:resentative)?",
        r"rep",
        r"representative",
        r"representante",
        r"comercial",
        r"vendedor(?:a)?",
        r"salesperson",
        r"sales\s+associate",
        r"associate",
        r"ejecutiv[oa]\s+de\s+(?:cuentas|ventas)",
        r"agente?",
        r"designer",
        r"dise[nñ]ador(?:a)?",
        r"marketer",
        r"employee",
        r"emplead[oa]",
        r"t[eé]cnic[oa]",
        r"administrativ[oa]",
        r"recepcionista",
        r"receptionist",
        r"operator",
        r"clerk",
        r"executive\s+assistant",
        r"copywriter",
        r"end\s+user",
        r"just\s+a\s+user",
    ),
    NO_AUTHORITY: (
        r"students?",
        r"estudiante",
        r"interns?",
        r"internship",
        r"becari[oa]",
        r"trainee",
        r"practicante",
        r"en\s+pr[aá]cticas",
        r"alumn[oa]",
        r"job\s+seeker",
        r"unemployed",
        r"desemplead[oa]",
        r"en\s+paro",
        r"looking\s+for\s+(?:a\s+)?(?:job|work)",
        r"busc(?:o|ando)\s+(?:trabajo|empleo)",
        r"between\s+jobs",
        r"retired",
        r"jubilad[oa]",
        r"freelance\s+student",
        r"graduate",
        r"reci[eé]n\s+graduad[oa]",
    ),
}

_GROUP_CLASS = {"dm": DECISION_MAKER, "inf": INFLUENCER, "ind": INDIVIDUAL, "na": NO_AUTHORITY}


def _titles_by_letter() -> dict[str, re.Pattern[str]]:
    """One regex per first letter, longest patterns first.

    A single alternation of ~150 titles tried at every character cost ~400 µs per message;
    trying only the titles that start with a word's first letter, at word starts, is ~20x cheaper.
    """
    branches: dict[str, list[tuple[str, str]]] = {}
    for group, role_name in _GROUP_CLASS.items():
        for i, pattern in enumerate(_TITLES[role_name]):
            assert pattern[0].isalpha(), pattern  # the first character must be a literal letter
            branches.setdefault(pattern[0], []).append((f"{group}_{i}", pattern))
    return {
        letter: re.compile(
            "|".join(f"(?P<{name}>{p}(?![\\w-]))" for name, p in sorted(found, key=lambda b: -len(b[1])))
        )
        for letter, found in branches.items()
    }


_TITLE_BY_LETTER = _titles_by_letter()
_WORD_START = re.compile(r"(?<![\w-])[a-z]")

# Statements beat titles: "I'm a manager but I sign off" is a decision-maker,
# "I'm the director but my boss decides" an influencer.
_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        INFLUENCER,
        re.compile(
            r"\bi\s+(?:don'?t|do\s+not|can'?t|cannot)\s+(?:decide|sign|approve|make\s+the\s+(?:final\s+)?(?:call|decision))"
            r"|\bno\s+(?:decido|firmo|apruebo)\b|\bi\s+(?:would\s+|will\s+|'ll\s+)?recommend"
            r"|recommend(?:ing)?\s+(?:it\s+)?to\s+my\s+(?:boss|manager|ceo|director)"
            r"|evaluat\w*\s+(?:it\s+|this\s+|options\s+|tools\s+)?(?:for|on\s+behalf\s+of)\s+(?:my|our|the)\s+team"
            r"|\bmy\s+(?:boss|manager|ceo|director|supervisor|jefe|jefa)\s+(?:will\s+)?(?:decides?|approves?|signs?|has\s+the\s+final)"
            r"|\b(?:the\s+)?(?:boss|board|ceo|owner|management|director|founders?)\s+(?:decides?|approves?|signs?\s+off|has\s+the\s+final\s+say)"
            r"|\bneed\s+(?:approval|sign[\s-]?off|the\s+ok)\s+from|\bi\s+influence|part\s+of\s+the\s+decision"
            r"|\beval[uú]o\s+para\s+mi\s+equipo|estoy\s+evaluando\s+para|\b(?:le\s+)?recomiendo\s+a\s+mi"
            r"|\b(?:mi\s+jef[ea]|el\s+jefe|la\s+jefa|el\s+director|la\s+directora|el\s+ceo|la\s+direcci[oó]n)\s+(?:lo\s+)?(?:decide|aprueba|firma)"
            r"|\b(?:lo\s+)?(?:decide|aprueba|firma)\s+(?:mi\s+jef[ea]|el\s+jefe|la\s+jefa|el\s+director|la\s+directora|el\s+ceo|la\s+direcci[oó]n)"
            r"|necesito\s+(?:la\s+)?aprobaci[oó]n|\bi\s+(?:just\s+)?(?:gather|collect)\s+(?:info|information|options)"
        ),
    ),
    (
        DECISION_MAKER,
        re.compile(
            r"\bi\s+(?:sign\s+off|sign\s+the|approve|decide|make\s+the\s+(?:final\s+)?(?:call|decision)|own\s+the\s+budget"
            r"|hold\s+the\s+budget|control\s+the\s+budget|have\s+the\s+(?:final\s+)?say|have\s+(?:full\s+)?(?:authority|sign[\s-]?off))\b"
            r"|\bthe\s+budget\s+is\s+mine|\bit'?s\s+my\s+(?:budget|call|decision)|final\s+(?:say|call|decision)\s+is\s+mine"
            r"|\bi'?m\s+the\s+(?:decision[\s-]?maker|one\s+who\s+(?:decides|signs|approves)|person\s+who\s+(?:decides|signs|approves))"
            r"|\byo\s+(?:decido|apruebo|firmo)|\b(?:decido|apruebo|firmo)\s+yo\b|el\s+presupuesto\s+es\s+m[ií]o"
            r"|la\s+decisi[oó]n\s+es\s+m[ií]a|tengo\s+la\s+[uú]ltima\s+palabra|soy\s+(?:el|la|quien)\s+(?:que\s+)?decid[eo]"
            r"|soy\s+quien\s+(?:decide|aprueba|firma)|me\s+toca\s+decidir|decision[\s-]?maker\s+here"
        ),
    ),
    (
        INDIVIDUAL,
        re.compile(
            r"\bi'?m\s+(?:his|her|their|the\s+\w+'?s)\s+assistant|\bsoy\s+(?:su|el|la)\s+asistente"
            r"|\bi\s+(?:just|only)\s+use\s+(?:it|the\s+tool)|\bsolo\s+(?:lo\s+)?uso"
        ),
    ),
    (
        NO_AUTHORITY,
        re.compile(
            r"\blooking\s+for\s+(?:a\s+)?(?:job|work|an?\s+internship)|\bbusco\s+(?:trabajo|empleo|pr[aá]cticas)"
            r"|\bbuscando\s+(?:trabajo|empleo)|\bjob\s+hunting|\bfor\s+(?:my|a)\s+(?:class|thesis|homework|course)"
        ),
    ),
)

# A title right after these is negated ("I'm not the CEO", "ex-director") or someone else's
# ("my boss is the CEO", "assistant to the VP", "trabajo para el director").
_NEGATION = re.compile(
    r"(?:\bnot|\bno|\bnor|\bni|\bformer(?:ly)?|\bex|\bprevious(?:ly)?|\bused\s+to\s+be|\bantes\s+era"
    r"|\bantigu[oa]|\bisn'?t|\baren'?t|\bwasn'?t|\bweren'?t)\b[\s\w'-]{0,16}$"
)
_REFERENCE = re.compile(
    r"(?:\b(?:my|our|your|his|her|their|mi|mis|nuestr[oa]s?|tu|su|sus)\s+(?:\w+\s+)?"
    r"|\b(?:to|for|with|of|from|para|con|a|de|from|under|bajo)\s+(?:the|el|la|our|my|a|an|nuestr[oa]|mi)\s+(?:\w+\s+)?"
    r"|\b(?:del|al)\s+"
    r"|\b(?:boss|jef[ea]|manager|supervisor)\s+(?:is|es|was|era)\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+|un\s+|una\s+)?"
    r"|\b(?:talk|speak|hablar|report|reporto)\w*\s+(?:to|with|con|a)\s+(?:the\s+|el\s+|la\s+)?)$"
)
_ONE_OF = re.compile(r"\b(?:one|uno|una)\s+(?:of|de)\s+(?:the|los|las|our|nuestr[oa]s)\s+$")
# Volunteered titles count only when the visitor is talking about themself.
_SELF = re.compile(
    r"(?:\bi'?m|\bi\s+am|\bim|\bas|\bsoy|\bcomo|\bwork\s+as|\btrabajo\s+(?:como|de)|\bmy\s+(?:role|title|position|job)\s+is"
    r"|\bmi\s+(?:cargo|puesto|rol)\s+es|\bhere\s+as|\bbeing|\bi\s+work\s+as|\bwe'?re|\bestoy\s+de"
    r"|\bi\s+run|\bdirijo|\bllevo)\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+|un\s+|una\s+|one\s+of\s+the\s+|uno\s+de\s+los\s+|una\s+de\s+las\s+|also\s+|actually\s+|just\s+|only\s+|solo\s+|currently\s+)*"
    r"(?:[\w.-]+\s+){0,3}$"
)
_CLAUSE_BREAK = re.compile(r".*(?:[,;.!?()\n]|\bbut\b|\bpero\b|\band\b|\by\b)", re.S)
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|hola|buenas|good\s+\w+|buenos\s+d[ií]as)?\W*$")
_HERE = re.compile(r"^\s*(?:here|aqu[ií]|speaking|al\s+habla)\b")


@dataclass(frozen=True)
class _Found:
    role: str
    start: int
    end: int
    said: str
    is_title: bool


def parse_role(text: str, *, strict: bool = False) -> Answer:
    """Buying authority from a title ("Head of Growth") or a statement ("I sign off")."""
    raw = text
    lower = text[:MAX_CHARS].lower()
    statement = _statement(lower)
    titles = [t for t in _titles(lower) if not strict or _talks_about_self(lower, t)]
    if statement is None and not titles:
        return Answer.unknown(Criterion.ROLE, raw, "no title or authority statement found")
    best = statement or max(titles, key=lambda t: (_RANK[t.role], -t.start))
    distinct = {t.role for t in titles}
    confidence = 0.9 if len(distinct | {best.role}) == 1 else 0.7
    # Lower-casing can change a string's length ("İ"); only then fall back to the lower copy.
    source = raw if len(lower) == len(raw[:MAX_CHARS]) else lower
    said = source[best.start : best.end]
    extra: dict[str, str] = {}
    if best.is_title:
        extra["title"] = _title_as_said(source, best)
        if re.search(r"acting|interim|en\s+funciones|interin", lower):
            extra["qualifier"] = "acting"
        reason = f"'{extra['title']}' is {_LABEL[best.role]} title"
    else:
        reason = f"'{said}' means the visitor is {_LABEL[best.role]}"
    return Answer(
        criterion=Criterion.ROLE,
        raw=raw,
        kind=Kind.VALUE,
        value=best.role,
        confidence=confidence,
        reason=reason,
        span=(best.start, best.end),
        extra=extra,
    )


# Every statement contains one of these; checking them with ``in`` skips the long regexes.
_STATEMENT_KEYS = (
    "decid", "sign", "approv", "recommend", "evaluat", "boss", "board", "ceo", "owner",
    "management", "director", "founder", "influence", "decision", "approval", "the ok",
    "gather", "collect", "budget", "call", "say", "decido", "firm", "apruebo", "aprueba",
    "recomiendo", "eval", "jef", "direcci", "aprobaci", "presupuesto", "palabra", "toca",
    "assistant", "asistente", "use", "uso", "job", "work", "trabajo", "empleo", "prácticas",
    "practicas", "class", "thesis", "homework", "course",
)  # fmt: skip


def _statement(lower: str) -> _Found | None:
    if not any(key in lower for key in _STATEMENT_KEYS):
        return None
    for role, pattern in _STATEMENTS:
        for m in pattern.finditer(lower):
            if role != INFLUENCER and _NEGATION.search(_clause_before(lower, m.start())):
                continue
            return _Found(role, m.start(), m.end(), m.group(0), is_title=False)
    return None


def _titles(lower: str) -> list[_Found]:
    found: list[_Found] = []
    end = 0
    for start in _WORD_START.finditer(lower):
        if start.start() < end:
            continue
        title_pattern = _TITLE_BY_LETTER.get(start.group(0))
        m = title_pattern.match(lower, start.start()) if title_pattern else None
        if m is None:
            continue
        end = m.end()
        if found and lower[found[-1].end : m.start()].strip() == "":
            continue  # "director comercial", "Sales rep": a qualifier of the title before it
        group = (m.lastgroup or "").split("_")[0]
        before = _clause_before(lower, m.start())
        if _NEGATION.search(before) or (_REFERENCE.search(before) and not _ONE_OF.search(before)):
            continue
        if re.match(r"\s*['’]s\b", lower[m.end() :]):
            continue  # "the CEO's office": someone else's title
        found.append(_Found(_GROUP_CLASS[group], m.start(), m.end(), m.group(0), is_title=True))
    return found


def _clause_before(lower: str, start: int) -> str:
    """Text before ``start`` back to the previous clause break, at most 40 characters."""
    window = lower[max(0, start - 40) : start]
    cut = _CLAUSE_BREAK.match(window)
    return window[cut.end() :] if cut else window


def _talks_about_self(lower: str, title: _Found) -> bool:
    before = lower[max(0, title.start - 60) : title.start]
    if _SELF.search(before) or _HERE.match(lower[title.end :]):
        return True
    # "CTO at Acme." / "Hola, directora de marketing" opening the message
    return bool(_GREETING.match(lower[: title.start])) or len(lower.split()) <= 3


def _title_as_said(raw: str, title: _Found) -> str:
    """The title with the words that qualify it ("VP Sales", "director comercial")."""
    tail = re.match(
        r"(?:\s+(?:of|de|del|de\s+la|for)?\s*(?!(?:a|an|the|el|la|un|una|my|our|mi|of|de|del|for|at|en|and|y)\b)[a-záéíóúñ&]{2,})?"
        r"(?:\s*\((?:acting|interim)\))?",
        raw[title.end : title.end + 40],
        re.I,
    )
    text = raw[title.start : title.end + (tail.end() if tail else 0)]
    text = re.sub(r"\s+(?:at|en|in|and|y|for|here|aqu[ií])$", "", text, flags=re.I)
    return text.strip(" ,.")
