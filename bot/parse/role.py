"""Role answers: job titles and authority statements in English and Spanish.

Owns ``parse_role``: "VP Sales", "soy la directora comercial", "my boss decides" -> a buying-authority class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.nlp import edit_distance, fold, is_word
from bot.parse.numbers import MAX_CHARS
from bot.parse.role_statements import _OTHER_PERSON, _STATEMENTS, SOMEONE_ELSE_DECIDES
from bot.parse.role_words import (
    _DEPARTMENT,
    _DEPARTMENT_NAMES,
    _NOT_TYPOS,
    _TITLES,
    _TYPO_TARGETS,
    _TYPOS_THAT_ARE_WORDS,
    DECISION_MAKER,
    INDIVIDUAL,
    INFLUENCER,
    NO_AUTHORITY,
)

# Higher wins when someone states two titles ("student and co-founder").
_RANK = {NO_AUTHORITY: 0, INDIVIDUAL: 1, INFLUENCER: 2, DECISION_MAKER: 3}
# A trainee's department reads like a title ("becario de marketing", "intern on the SDR team"):
# beside one of these, a contributor's title is the trainee's post, not a second role.
_TRAINEE = re.compile(r"\b(?:interns?|internship|becari[oa]s?|trainees?|practicantes?|en\s+pr[aá]cticas)\b")

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

_TYPO_FOLDED = frozenset(fold(t) for t in _TYPO_TARGETS)


def _typos_by_letter() -> dict[str, tuple[tuple[str, str], ...]]:
    """(folded, as written) title words by first letter: a typo is only compared with a handful."""
    found: dict[str, list[tuple[str, str]]] = {}
    for target in _TYPO_TARGETS:
        found.setdefault(fold(target)[0], []).append((fold(target), target))
    return {letter: tuple(words) for letter, words in found.items()}


_TYPO_BY_LETTER = _typos_by_letter()
_LONG_WORD = re.compile(r"[^\W\d_]{5,}")


# With no title nor statement, the function worked in still places the visitor ("I work in sales ops").
_WORKS_IN = re.compile(
    r"(?:\bi\s+work\s+in|\bi'?m\s+(?:in|on|from)|\bi\s+am\s+(?:in|on|from)|\btrabajo\s+en|\bestoy\s+en|\bsoy\s+de)"
    r"\s+(?:the\s+|el\s+|la\s+)?(?:(?:department|team|equipo|departamento|[aá]rea)\s+(?:of|de)\s+)?"
    rf"(?P<department>{_DEPARTMENT})(?![\w-])(?!\s+(?:company|agency|firm|software|tool|platform|empresa|agencia))"
)
_ONLY_DEPARTMENT = re.compile(
    rf"^\W*(?:the\s+)?(?P<department>{_DEPARTMENT})(?:\s+(?:team|department|dept|side|equipo|departamento))?\W*$"
)

# A title right after these is negated ("I'm not the CEO", "ex-director") or someone else's
# ("my boss is the CEO", "assistant to the VP", "trabajo para el director").
_NEGATION = re.compile(
    r"(?:\bnot|\bno|\bnor|\bni|\bnever|\bnunca|\bformer(?:ly)?|\bex|\bprevious(?:ly)?|\bused\s+to\s+be|\bantes\s+era"
    r"|\bantigu[oa]|\bisn'?t|\baren'?t|\bwasn'?t|\bweren'?t|\bdon'?t|\bdoesn'?t|\bdidn'?t)\b[\s\w'-]{0,16}$"
)
_REFERENCE = re.compile(
    r"(?:\b(?:my|our|your|his|her|their|mi|mis|nuestr[oa]s?|tu|su|sus)\s+(?:\w+\s+)?"
    r"|\b(?:to|for|with|of|from|para|con|a|de|from|under|bajo)\s+(?:the|el|la|our|my|a|an|nuestr[oa]|mi)\s+(?:\w+\s+)?"
    r"|\b(?:del|al)\s+"
    r"|\b(?:gente|people|folks|personas|candidates|candidatos|students|estudiantes|guys)\s+(?:que\s+|who\s+)?"
    r"|\b(?:boss|jef[ea]|manager|supervisor)\s+(?:is|es|was|era)\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+|un\s+|una\s+)?"
    r"|\b(?:talk|speak|hablar|report|reporto)\w*\s+(?:to|with|con|a)\s+(?:the\s+|el\s+|la\s+)?"
    # "me dice la CFO que...", "según el director", "ha dicho el gerente": the speaker named after the verb
    r"|\b(?:dice|dijo|ha\s+dicho|comenta|coment[oó]|pide|pidi[oó]|ha\s+pedido|cree|piensa|opina|seg[uú]n|says|said)\s+"
    r"(?:the|el|la|our|my|mi|nuestr[oa])\s+(?:\w+\s+)?"
    # "el que decide es el gerente", "who signs is the CEO", "firma el director"
    r"|\b(?:decides?|decide|signs?(?:\s+off)?|approves?|firma|aprueba|manda)\s+(?:es\s+|is\s+)?"
    r"(?:the|el|la|our|my|mi|nuestr[oa])\s+)$"
)
# "my manager, the VP of Sales, asked me", "my boss (the CEO)": the title names the person just mentioned.
_APPOSITIVE = re.compile(
    rf"\b(?:my|our|his|her|their|mi|nuestr[oa]|su)\s+(?:\w+\s+)?{_OTHER_PERSON}\s*(?:,|\(|[–—-])\s*"
    r"(?:(?:the|el|la|our|nuestr[oa])\s+)?$"
)
# "the CFO approves", "el director me pidió": a title followed by its own verb is a third person.
_DETERMINER = re.compile(r"\b(?:the|el|la|los|las|our|nuestr[oa]s?)\s+$")
_THIRD_PERSON_VERBS = (
    r"asked|asks|told|tells|wants|wanted|said|says|approves?|approved|decides?|decided|signs?|signed|needs|sent|pushes"
    r"|is\s+pushing|messaged|emailed|texted|pinged|called|rang|wrote|writes|replied|replies|mentioned|mentions"
    r"|thinks|thought|believes|hates|loves|likes|complains|complained|insists|insisted|keeps|kept|expects|hopes"
    r"|(?:is|was|'s|gets|got)\s+(?!(?:me|my|mine|myself|i|here|speaking)\b)"
    r"|pidi[oó]|pide|dijo|dice|quiere|aprueba|apruebe|aprob[oó]|decide|decidi[oó]|decida|firma|firme"
    r"|firm[oó]|mand[oó]|manda|encarg[oó]|escribi[oó]|escribe|llam[oó]|piensa|cree|est[aá]\s+(?!aqu[ií])|se\s+queja"
    # "el gerente es mi jefe", "el dueño es mi padre": that title is someone the visitor names
    r"|(?:es|era)\s+(?:mi|mis|nuestr[oa]s?|quien|el\s+que|la\s+que)\b"
)
_THIRD_PERSON_VERB = re.compile(
    r"[\s,]*(?:(?:will|would|has|had|just|already|finally|also|ya|me|nos|lo|le|les|then)\s+){0,2}"
    rf"(?:{_THIRD_PERSON_VERBS}|me|nos|lo|le)\b"
)
# "cto said this quarter", "owner is furious": without "the", a verb right after the title (no comma:
# "director, me encargo de..." is the visitor speaking) still makes it someone else.
_BARE_THIRD_PERSON_VERB = re.compile(
    r"\s+(?:(?:will|would|has|had|just|already|finally|also|really|always|never|ya|then)\s+){0,2}"
    rf"(?:{_THIRD_PERSON_VERBS})\b"
)
# "the SDR team", "our AEs' calendars": a unit or a thing, not the visitor.
_NOT_A_PERSON_AFTER = re.compile(
    r"\s*(?:['’]s?(?:\s|$)|\s+(?:team|teams|department|dept|org|function|pod|squad|side|office|calendars?|quota"
    r"|equipo|departamento|[aá]rea)\b)"
)
_ONE_OF = re.compile(r"\b(?:one|uno|una)\s+(?:of|de)\s+(?:the|los|las|our|nuestr[oa]s)\s+$")
# A plural title is other people unless the visitor counts themself in ("we're the founders").
_PLURAL_TITLE = re.compile(
    r"owners|co[\s-]?owners|founders|co[\s-]?founders|co[\s-]?fundador(?:es|as)|fundador(?:es|as)|director(?:es|as)"
    r"|managers|sdrs|bdrs|aes|students|interns"
)
_WE_ARE = re.compile(
    r"\b(?:we'?re|we\s+are|somos|both|ambos|ambas|the\s+two\s+of\s+us|los\s+dos|las\s+dos)\s+(?:\w+\s+){0,2}$"
)
_MANAGES_THE_TITLE_BEFORE = re.compile(r"managers?|team\s+lead(?:er)?|supervisor|director")
# Volunteered titles count only when the visitor is talking about themself.
_SELF = re.compile(
    r"(?:\bi'?m|\bi\s+am|\bim|\bas|\bsoy|\bcomo|\bwork\s+as|\btrabajo\s+(?:como|de)|\bmy\s+(?:role|title|position|job)\s+is"
    r"|\bmi\s+(?:cargo|puesto|rol)\s+es|\bhere\s+as|\bbeing|\bi\s+work\s+as|\bwe'?re|\bestoy\s+de"
    r"|\bi\s+run|\bdirijo|\bllevo)\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+|un\s+|una\s+|one\s+of\s+the\s+|uno\s+de\s+los\s+|una\s+de\s+las\s+|also\s+|actually\s+|just\s+|only\s+|solo\s+|currently\s+)*"
    r"(?:[\w.-]+\s+){0,3}$"
)
# In another question's answer, "once / until / cuando ..." introduces an approval process.
_CONDITION = re.compile(
    r"\b(?:until|till|unless|once|when|whenever|after|before|if|as\s+soon\s+as|hasta\s+que|cuando|una\s+vez\s+que"
    r"|en\s+cuanto|despu[eé]s\s+de\s+que|antes\s+de\s+que|si|a\s+menos\s+que|siempre\s+que)\b[^,;.!?]*$"
)
_CLAUSE_BREAK = re.compile(r".*(?:[,;.!?()\n]|\bbut\b|\bpero\b|\band\b|\by\b)", re.S)
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|hola|buenas|good\s+\w+|buenos\s+d[ií]as)?\W*$")
_HERE = re.compile(r"^\s*(?:here|aqu[ií]|speaking|al\s+habla)\b")

# The words a title may carry before it ("Senior Account Manager", "RevOps lead", "Fractional CMO").
_TITLE_HEAD = re.compile(
    rf"(?:(?<![\w-])(?:senior|sr\.?|junior|jr\.?|principal|regional|global|national|international|country|area|group"
    rf"|deputy|associate|key|interim|acting|fractional|{_DEPARTMENT})(?:\s*&\s*|\s+and\s+|\s*/\s*|\s+))+$"
)
_TITLE_TAIL = re.compile(
    r"(?:\s+(?:of|de|del|de\s+la|for)?\s*(?!(?:a|an|the|el|la|un|una|my|our|mi|of|de|del|for|at|en|and|y|to|in|is|am"
    r"|are|was|soy|es|era|but|pero|who|que|with|con|yo|me|here|aqu[ií]|so|as|como|since|desde|now|ahora)\b)"
    r"[a-záéíóúñ&]{2,})?"
    r"(?:\s*\((?:acting|interim)\))?"
)
# Titles that are a situation rather than a job get their own words in the reason.
_SITUATIONS = (
    (re.compile(r"seeker|unemployed|desemplead|paro|looking|busc|between"), "is looking for a job"),
    (re.compile(r"retired|jubilad"), "is retired"),
    (re.compile(r"student|estudiante|alumn|graduat"), "is a student"),
    (re.compile(r"intern|becari|trainee|practic"), "is an intern"),
    (re.compile(r"self|freelanc|aut[oó]nom|cuenta\s+propia|sole\s+trader|solopreneur"), "works for themself"),
    (re.compile(r"user"), "you'll be using the tool"),
    (re.compile(r"c[\s-]?(?:level|suite)"), "is in the C-suite"),
    (re.compile(r"board"), "is on the board"),
)
_SHARED_TITLE = re.compile(r"(?:co[\s-]?|partner|soci|managing\s+partner|consejer)", re.I)
_ACRONYM_WITH_VOWEL_SOUND = re.compile(r"[AEFHILMNORSX][A-Z]{0,3}\b")


@dataclass(frozen=True)
class _Found:
    role: str
    start: int
    end: int
    reason: str = ""  # statements: their reason; titles build theirs from the words said
    is_title: bool = False
    floor: bool = False
    fallback: bool = False
    named: tuple[int, int] | None = None  # statements: the words the reason repeats ("SDR team")


@dataclass(frozen=True)
class _Respelt:
    """The lower-cased message with misspelt title words respelt ("drector" -> "director").

    Parsing reads ``text``; ``edits`` maps each respelt word's span in the message
    (start, end) to its span in ``text``, so answers still point at the visitor's own words.
    """

    text: str
    edits: tuple[tuple[int, int, int, int], ...] = ()

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self._to_message(start, at_end=False), self._to_message(end, at_end=True)

    def apply(self, source: str) -> str:
        """``source`` (the message, same length as the lower-cased copy) with the same words respelt."""
        pieces, last = [], 0
        for m_start, m_end, t_start, t_end in self.edits:
            typed, fixed = source[m_start:m_end], self.text[t_start:t_end]
            # Keep the visitor's capitals: "Dirctor" -> "Director", "MANGER" -> "MANAGER".
            fixed = fixed.upper() if typed.isupper() else fixed.capitalize() if typed[:1].isupper() else fixed
            pieces += [source[last:m_start], fixed]
            last = m_end
        return "".join([*pieces, source[last:]])

    def _to_message(self, position: int, *, at_end: bool) -> int:
        shift = 0
        for m_start, m_end, t_start, t_end in self.edits:
            if position <= t_start:
                break
            if position < t_end:
                return m_end if at_end else m_start
            shift = m_end - t_end
        return position + shift


def parse_role(text: str, *, strict: bool = False) -> Answer:
    """Buying authority from a title ("Head of Growth") or a statement ("I sign off")."""
    raw = text
    lower = text[:MAX_CHARS].lower()
    spelling = _respell(lower)
    said = spelling.text
    statements = _statements(said, strict=strict)
    overriding = next((s for s in statements if not (s.floor or s.fallback)), None)
    titles = [t for t in _titles(said) if not strict or _talks_about_self(said, t)]
    candidates = titles + [s for s in statements if s.floor]
    best = overriding or (max(candidates, key=lambda t: (_RANK[t.role], t.is_title, -t.start)) if candidates else None)
    trainee = next((t for t in titles if t.role == NO_AUTHORITY and _TRAINEE.search(said, t.start, t.end)), None)
    if trainee is not None and best is not None and (best.role == INDIVIDUAL or best.reason == SOMEONE_ELSE_DECIDES):
        # "en prácticas en el dpto comercial", "becaria de marketing, mi jefa decide": a trainee's
        # post and boss say nothing more about their own authority.
        best = trainee
    # "my boss asked me to look into it", and nothing else: looks into it for someone who decides
    best = best or next((s for s in statements if s.fallback), None)
    confidence = 0.9
    if best is None:
        best = _department(said, strict=strict)
        confidence = 0.6
    if best is None:
        return Answer.unknown(Criterion.ROLE, raw, "no title or authority statement found")
    if len({t.role for t in candidates} | {best.role}) > 1:
        confidence = 0.7
    if spelling.edits:
        confidence = min(confidence, 0.8)  # a guess at what a misspelt word meant
    # Lower-casing can change a string's length ("İ"); only then fall back to the lower copy.
    source = raw if len(lower) == len(raw[:MAX_CHARS]) else lower
    start, end = spelling.original(best.start, best.end)
    extra: dict[str, str] = {}
    reason = best.reason
    if best.named:
        reason = reason.format(spelling.apply(source)[best.named[0] : best.named[1]])
    if best.is_title:
        head, tail = _title_extent(said, best)
        title_start, title_end = spelling.original(head, tail)
        extra["title"] = source[title_start:title_end].strip(" ,.")
        qualifier = re.search(r"acting|interim|en\s+funciones|interin|fractional", lower)
        if qualifier:
            extra["qualifier"] = "fractional" if qualifier.group(0) == "fractional" else "acting"
        shown = spelling.apply(source)[head:tail].strip(" ,.") if spelling.edits else extra["title"]
        reason = _title_reason(best.role, shown, one_of=bool(_ONE_OF.search(said[: best.start])))
    return Answer(
        criterion=Criterion.ROLE,
        raw=raw,
        kind=Kind.VALUE,
        value=best.role,
        confidence=confidence,
        reason=reason,
        span=(start, end),
        extra=extra,
    )


def _statements(text: str, *, strict: bool) -> list[_Found]:
    """Every kind of statement made, at most once each, in the order of ``_STATEMENTS``."""
    found = []
    for statement in _STATEMENTS:
        if (strict and not statement.strict) or not any(key in text for key in statement.keys):
            continue
        for m in statement.pattern.finditer(text):
            before = _clause_before(text, m.start())
            if statement.negatable and _NEGATION.search(before):
                continue
            if strict and _CONDITION.search(before):
                continue
            named = m.span("what") if "what" in statement.pattern.groupindex and m.group("what") else None
            reason = statement.named_reason if named else statement.reason
            found.append(
                _Found(
                    statement.role,
                    m.start(),
                    m.end(),
                    reason,
                    floor=statement.floor,
                    fallback=statement.fallback,
                    named=named,
                )
            )
            break
    return found


def _titles(text: str) -> list[_Found]:
    found: list[_Found] = []
    end = 0
    passed = -1  # where the last title that is not the visitor's ended
    for start in _WORD_START.finditer(text):
        if start.start() < end:
            continue
        title_pattern = _TITLE_BY_LETTER.get(start.group(0))
        m = title_pattern.match(text, start.start()) if title_pattern else None
        if m is None:
            continue
        end = m.end()
        group = (m.lastgroup or "").split("_")[0]
        if passed >= 0 and text[passed : m.start()].strip() == "":
            passed = end
            continue  # "mi jefe, el director comercial": the qualifier of someone else's title
        if found and text[found[-1].end : m.start()].strip() == "":
            if _MANAGES_THE_TITLE_BEFORE.fullmatch(m.group(0)) and found[-1].role in (INDIVIDUAL, NO_AUTHORITY):
                # "SDR manager": the English head noun is the job, the title before it is who is managed.
                found[-1] = _Found(_GROUP_CLASS[group], found[-1].start, m.end(), is_title=True)
            continue  # "director comercial", "Sales rep": a qualifier of the title before it
        before = _clause_before(text, m.start())
        if _PLURAL_TITLE.fullmatch(m.group(0)) and not (_ONE_OF.search(before) or _WE_ARE.search(before)):
            continue  # "our SDRs", "AEs ignore MQLs": the visitor's colleagues, not the visitor
        if _NOT_A_PERSON_AFTER.match(text, m.end()):
            continue  # "BDR team lead": a unit, and the title after it may be the visitor's
        if (
            _NEGATION.search(before)
            or (_REFERENCE.search(before) and not _ONE_OF.search(before))
            or _someone_else(text, m.start(), m.end())
        ):
            passed = end
            continue
        passed = -1
        found.append(_Found(_GROUP_CLASS[group], m.start(), m.end(), is_title=True))
    return found


def _someone_else(text: str, start: int, end: int) -> bool:
    """Whether the title at ``start:end`` names another person ("the VP asked me", "my boss, the CEO")."""
    window = text[max(0, start - 60) : start]
    if _APPOSITIVE.search(window):
        return True
    if _SELF.search(window):
        return False
    after = _TITLE_TAIL.match(text, end)
    verb = _THIRD_PERSON_VERB if _DETERMINER.search(window) else _BARE_THIRD_PERSON_VERB
    return bool(verb.match(text, after.end() if after else end) or verb.match(text, end))


def _department(text: str, *, strict: bool) -> _Found | None:
    m = _WORKS_IN.search(text) or (None if strict else _ONLY_DEPARTMENT.match(text))
    if m is None or _NEGATION.search(_clause_before(text, m.start())):
        return None
    said = m.group("department")
    name = next((n for pattern, n in _DEPARTMENT_NAMES if pattern.match(said)), None)
    span = m.span("department")
    if name:  # a Spanish function, named in English for the reason
        return _Found(INDIVIDUAL, *span, f"works in {name}")
    return _Found(INDIVIDUAL, *span, "works in {}", named=span)


def _clause_before(text: str, start: int) -> str:
    """Text before ``start`` back to the previous clause break, at most 40 characters."""
    window = text[max(0, start - 40) : start]
    cut = _CLAUSE_BREAK.match(window)
    return window[cut.end() :] if cut else window


def _talks_about_self(text: str, title: _Found) -> bool:
    before = text[max(0, title.start - 60) : title.start]
    if _SELF.search(before) or _HERE.match(text[title.end :]):
        return True
    # "CTO at Acme." / "Hola, directora de marketing" opening the message
    return bool(_GREETING.match(text[: title.start])) or len(text.split()) <= 3


def _title_extent(text: str, title: _Found) -> tuple[int, int]:
    """The title with the words that qualify it ("Senior Account Manager", "director comercial")."""
    head = _TITLE_HEAD.search(text[max(0, title.start - 50) : title.start])
    start = title.start - (len(head.group(0)) if head else 0)
    tail = _TITLE_TAIL.match(text[title.end : title.end + 40])
    end = title.end + (tail.end() if tail else 0)
    trailing = re.search(r"\s+(?:at|en|in|and|y|for|here|aqu[ií])$", text[start:end])
    return start, end - (len(trailing.group(0)) if trailing else 0)


def _title_reason(role: str, title: str, *, one_of: bool) -> str:
    """Plain words for the visitor: "is the sales director", "is an SDR", "is a student"."""
    lower = title.lower()
    for pattern, reason in _SITUATIONS:
        if pattern.search(lower):
            return reason
    if one_of:
        return f"is one of the {title}"
    if role == DECISION_MAKER and not _SHARED_TITLE.match(title):
        return f"is the {title}"
    # "an SDR", "a BDR", "an engineer"
    acronym = title[:2].isupper()
    vowel_sound = bool(_ACRONYM_WITH_VOWEL_SOUND.match(title)) if acronym else title[:1].lower() in "aeiou"
    return f"is {'an' if vowel_sound else 'a'} {title}"


def _respell(lower: str) -> _Respelt:
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    last = shift = 0
    for m in _LONG_WORD.finditer(lower):
        fix = _typo_fix(m.group(0))
        if fix is None:
            continue
        pieces += [lower[last : m.start()], fix]
        edits.append((m.start(), m.end(), m.start() + shift, m.start() + shift + len(fix)))
        shift += len(fix) - len(m.group(0))
        last = m.end()
    if not edits:
        return _Respelt(lower)
    return _Respelt("".join([*pieces, lower[last:]]), tuple(edits))


@lru_cache(maxsize=16384)
def _typo_fix(word: str) -> str | None:
    """The title word ``word`` is a misspelling of, if any: same first letter, one edit
    for words of up to 7 letters, two for longer ones (typos rarely hit the first letter,
    and the rule keeps "power" and "gente" away from "owner" and "gerente")."""
    folded = fold(word)
    if folded in _TYPO_FOLDED or folded in _NOT_TYPOS:
        return None
    if word not in _TYPOS_THAT_ARE_WORDS and is_word(word):
        return None  # "encantado", "empezado", "superior": a word of its own, however close
    if folded.endswith("s") and (folded[:-1] in _TYPO_FOLDED or folded[:-2] in _TYPO_FOLDED):
        return None  # a plural: the title patterns decide whether it is a title
    best, best_distance = None, 3
    for folded_target, target in _TYPO_BY_LETTER.get(folded[0], ()):
        limit = 1 if len(folded_target) <= 7 else 2
        if abs(len(folded) - len(folded_target)) > limit:
            continue
        distance = edit_distance(folded, folded_target, limit)
        if distance <= limit and distance < best_distance:
            best, best_distance = target, distance
    return best
