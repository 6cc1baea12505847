"""Role answers: job titles and authority statements in English and Spanish.

Owns ``parse_role``: "VP Sales", "soy la directora comercial", "my boss decides" -> a buying-authority class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.nlp import LANGUAGES, _lemma_table, fold
from bot.parse.numbers import MAX_CHARS

DECISION_MAKER = "decision_maker"
INFLUENCER = "influencer"
INDIVIDUAL = "individual"
NO_AUTHORITY = "no_authority"

# Higher wins when someone states two titles ("student and co-founder").
_RANK = {NO_AUTHORITY: 0, INDIVIDUAL: 1, INFLUENCER: 2, DECISION_MAKER: 3}

# Functions a visitor works in: they qualify a title ("RevOps lead", "Growth marketer") and,
# with no title at all, still say something ("I work in sales ops": an individual contributor).
# The value is the English name used in the visitor-facing reason (None: the words as said).
_DEPARTMENTS: dict[str, str | None] = {
    r"sales": None,
    r"inside\s+sales": None,
    r"marketing": None,
    r"rev\s?ops": None,
    r"revenue\s+operations": None,
    r"revenue": None,
    r"sales\s+ops": None,
    r"sales\s+operations": None,
    r"marketing\s+ops": None,
    r"marketing\s+operations": None,
    r"demand\s+gen(?:eration)?": None,
    r"growth": None,
    r"enablement": None,
    r"sales\s+enablement": None,
    r"operations": None,
    r"ops": None,
    r"customer\s+success": None,
    r"business\s+development": None,
    r"biz\s?dev": None,
    r"partnerships": None,
    r"finance": None,
    r"procurement": None,
    r"purchasing": None,
    r"content": None,
    r"product": None,
    r"engineering": None,
    r"crm": None,
    r"data": None,
    r"analytics": None,
    r"ventas": "sales",
    r"operaciones": "operations",
    r"finanzas": "finance",
    r"compras": "purchasing",
    r"recursos\s+humanos": "HR",
    r"rrhh": "HR",
    r"producto": "product",
    r"ingenier[ií]a": "engineering",
    r"tecnolog[ií]a": "IT",
    r"sistemas": "IT",
    r"desarrollo\s+de\s+negocio": "business development",
    r"atenci[oó]n\s+al\s+cliente": "customer service",
    r"soporte": "support",
    r"administraci[oó]n": "administration",
    r"crecimiento": "growth",
    r"generaci[oó]n\s+de\s+demanda": "demand generation",
    r"log[ií]stica": "logistics",
    r"contabilidad": "accounting",
    r"preventa": "presales",
}
_DEPARTMENT = "(?:" + "|".join(sorted(_DEPARTMENTS, key=len, reverse=True)) + ")"
_DEPARTMENT_NAMES = tuple((re.compile(p + r"$"), name) for p, name in _DEPARTMENTS.items())

# "<function> lead" is a person ("RevOps lead") unless "lead" is the prospect it so often is
# in this product's domain ("sales lead routing", "marketing leads").
_LEAD_IS_A_PROSPECT = (
    r"(?!\s+(?:gen|generation|scoring|scores?|routing|qualification|quality|times?|sources?|forms?|magnets?|lists?"
    r"|flow|management|nurtur\w*|capture|volume|response|handoff|follow|data|status|stage|records?|owner|pipeline"
    r"|conversion|velocity|assignment|distribution|enrichment|intake|came|comes|from|that|which)\b)"
)
_LEAD_DEPARTMENTS = (
    r"sales", r"marketing", r"rev\s?ops", r"revenue\s+operations", r"revenue", r"sales\s+ops", r"marketing\s+ops",
    r"demand\s+gen(?:eration)?", r"growth", r"enablement", r"sales\s+enablement", r"operations", r"ops",
    r"customer\s+success", r"partnerships", r"product", r"content", r"brand", r"data", r"analytics", r"crm",
    r"engineering", r"design", r"sdr", r"bdr", r"inbound\s+sales", r"outbound\s+sales",
)  # fmt: skip


def _department_leads() -> list[str]:
    """The titles "<function> lead", one pattern per first letter: each branch costs a try per word."""
    by_letter: dict[str, list[str]] = {}
    for department in _LEAD_DEPARTMENTS:
        by_letter.setdefault(department[0], []).append(department[1:])
    return [
        rf"{letter}(?:{'|'.join(sorted(rests, key=len, reverse=True))})\s+lead(?:er)?{_LEAD_IS_A_PROSPECT}"
        for letter, rests in by_letter.items()
    ]


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
        r"directiv[oa]",
        r"dir\.",
        r"head\s+of",
        r"managing\s+partner",
        r"partner",
        r"soci[oa]",
        r"president(?:e|a)?",
        r"managing\s+director",
        r"general\s+manager",
        # In Spain "el gerente" runs the (small) company; "gerente de ventas" manages a function.
        r"gerente",
        r"gerente\s+general",
        r"consejer[oa]\s+delegad[oa]",
        r"due[nñ][oa]",
        r"propietari[oa]",
        r"proprietor",
        r"chair(?:man|woman|person)?",
        r"board\s+member",
        r"administrador(?:a)?\s+[uú]nic[oa]",
        r"gm",
        # People who buy for their own business.
        r"self[\s-]?employed",
        r"freelancer",
        r"freelance(?=\s*(?:$|[,.;!?]))",
        r"aut[oó]nom[oa]",
        r"trabajador(?:a)?\s+(?:aut[oó]nom[oa]|por\s+cuenta\s+propia)",
        r"sole\s+trader",
        r"solopreneur",
        r"entrepreneur",
        r"emprendedor(?:a)?",
    ),
    INFLUENCER: (
        r"managers?",
        r"gerente\s+(?:comercial|regional|territorial|nacional|del\s+\w+|de\s+(?!(?:la|una|mi|nuestra|esta)\s+"
        r"(?:empresa|compa[nñ][ií]a|pyme|sociedad|firma|organizaci[oó]n)\b)\w+)",
        r"jef[ea](?:\s+de\s+\w+)?",
        r"team\s+lead(?:er)?",
        r"tech\s+lead",
        *_department_leads(),
        r"l[ií]der(?:\s+de(?:l)?\s+\w+)?",
        r"responsable",
        r"responsible\s+for",
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
        r"lead\s+(?:engineer|developer|architect|designer|ae|sdr|bdr)",
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
        r"sdrs?",
        r"bdrs?",
        r"aes?",
        r"sales\s+development\s+rep(?:resentative)?",
        r"business\s+development\s+rep(?:resentative)?",
        r"account\s+exec(?:utive)?",
        r"account\s+manager",
        r"customer\s+success\s+manager",
        r"csm",
        r"sales\s+rep(?:resentative)?",
        r"rep",
        r"representative",
        r"representante",
        r"comercial",
        r"vendedor(?:a)?",
        r"salesperson",
        r"sales\s+associate",
        r"associate",
        r"ejecutiv[oa]\s+(?:de\s+(?:cuentas|ventas)|comercial)",
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
        # Jobs outside sales and marketing: someone who works there, without a say in buying.
        r"nurse",
        r"enfermer[oa]",
        r"teacher",
        r"profesor(?:a)?",
        r"maestr[oa]",
        r"accountant",
        r"bookkeeper",
        r"contable",
        r"lawyer",
        r"abogad[oa]",
        r"doctor(?:a)?",
        r"m[eé]dic[oa]",
        r"pharmacist",
        r"farmac[eé]utic[oa]",
        r"cashier",
        r"cajer[oa]",
        r"waiter",
        r"waitress",
        r"camarer[oa]",
        r"driver",
        r"conductor(?:a)?",
        r"electrician",
        r"electricista",
        r"plumber",
        r"fontaner[oa]",
        r"chef",
        r"cook",
        r"cociner[oa]",
        r"journalist",
        r"periodista",
        r"translator",
        r"traductor(?:a)?",
        r"researcher",
        r"investigador(?:a)?",
        r"scientist",
        r"economista",
        r"economist",
        r"auditor(?:a)?",
        r"psychologist",
        r"psic[oó]log[oa]",
        r"dentista?",
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

# Title words a visitor may misspell ("manger", "drector", "fundadro"): single words of 5+
# letters, each one a title above (a unit test keeps the two lists in step).
_TYPO_TARGETS = (
    "manager", "director", "directora", "founder", "cofounder", "fundador", "fundadora", "cofundador",
    "cofundadora", "owner", "partner", "president", "presidente", "presidenta", "propietario",
    "propietaria", "proprietor", "gerente", "freelancer", "autónomo", "autónoma",
    "entrepreneur", "emprendedor", "emprendedora", "consultant", "consultor", "consultora", "supervisor",
    "supervisora", "encargado", "encargada", "responsable", "advisor", "adviser", "asesor", "asesora", "engineer",
    "ingeniero", "ingeniera", "developer", "desarrollador", "desarrolladora", "programador", "programadora",
    "programmer", "analyst", "analista", "specialist", "especialista", "assistant", "asistente", "secretary",
    "secretario", "secretaria", "coordinator", "coordinador", "coordinadora", "representative", "representante",
    "vendedor", "vendedora", "salesperson", "designer", "marketer", "employee", "empleado", "empleada", "student",
    "estudiante", "intern", "becario", "becaria", "practicante", "trainee", "unemployed", "desempleado",
    "desempleada",
)  # fmt: skip
# Ordinary words within an edit or two of a title word: never respelt ("I manage the team",
# "directly", "founded in 2019", "estudiando opciones", "social media").
_NOT_TYPOS = frozenset(
    {
        "manage", "managed", "manages", "direct", "directo", "directa", "directos", "directas", "directly",
        "directed", "directs", "directory", "directorio", "detector", "founded", "funder", "funders", "fundado",
        "fundada", "fundados", "fundadas", "fundamos", "fundaron", "owned", "sucio", "present", "presents",
        "presented", "presidency", "proprietary", "autonomia", "consulting", "consultancy", "consultar",
        "consulta", "consultas", "consultoria", "consultorio", "supervision", "supervisar", "supervisa",
        "encargo", "encargar", "encargamos", "encargaron", "responsible", "advised", "engine", "engines",
        "engineered", "ingenio", "ingenieria", "ingenioso", "develop", "developed", "develops", "desarrollado",
        "desarrollada", "desarrollar", "programado", "programada", "programar", "programme", "programmed",
        "programmes", "analyse", "analiza", "analisis", "specialise", "specialize", "speciality", "especializa",
        "assistance", "assisting", "secretly", "secretariat", "coordinate", "coordinated", "coordination",
        "coordinado", "coordinada", "coordinar", "representation", "representando", "vendemos", "designed",
        "designs", "employer", "employed", "empleamos", "estudiando", "estudiantil", "intent", "interno",
        "interna", "inter", "practicando", "trained", "trainer", "marketed", "market", "markets",
        "presidential", "prescient", "responsibly", "supervisory", "consistant", "partier", "unexploded",
        "engined", "directv", "directx", "dunno", "practicamente", "practicarse", "asesoria", "autonomico",
        "autonomica", "autonomias", "antonimo", "agronomo", "astronomo", "autodromo", "analia", "empenado",
        "empenada", "desempenado", "desempenada", "vendera", "emprendera", "encargaria", "estudiarse",
        "representarse", "autonomic", "direito", "direitos", "consultante", "consultanos", "consultorias",
        "ingenierias", "emplearlo", "empleo",
    }
)  # fmt: skip
# Real words, but so rare that in a role answer they are a misspelt title ("marketing manger").
_TYPOS_THAT_ARE_WORDS = frozenset({"manger", "mangers"})
_TYPO_FOLDED = frozenset(fold(t) for t in _TYPO_TARGETS)


def _typos_by_letter() -> dict[str, tuple[tuple[str, str], ...]]:
    """(folded, as written) title words by first letter: a typo is only compared with a handful."""
    found: dict[str, list[tuple[str, str]]] = {}
    for target in _TYPO_TARGETS:
        found.setdefault(fold(target)[0], []).append((fold(target), target))
    return {letter: tuple(words) for letter, words in found.items()}


_TYPO_BY_LETTER = _typos_by_letter()
_LONG_WORD = re.compile(r"[^\W\d_]{5,}")


@dataclass(frozen=True)
class _Statement:
    """An authority statement ("I sign off", "lo decide mi jefe") and what it tells the visitor."""

    role: str
    reason: str  # shown to the visitor: plain words, second person
    pattern: re.Pattern[str]
    strict: bool = True  # about the visitor's own authority, so read even when role was not asked
    floor: bool = False  # a lower bound only: a title may rank higher ("director, I manage 8 people")
    negatable: bool = True  # False when the pattern carries its own negation ("I don't decide")
    named_reason: str = ""  # the reason when the pattern's "what" group names something: "leads the {}"
    # Every match contains one of these ("a|b" in ``_statement``): checking them with ``in`` skips the
    # long regexes on most messages (a unit test checks that every phrasing that matches holds a key).
    keys: tuple[str, ...] = ()


def _statement(role: str, reason: str, pattern: str, *, keys: str, named_reason: str = "", **flags: bool) -> _Statement:
    return _Statement(
        role, reason, re.compile(pattern), named_reason=named_reason, keys=tuple(keys.split("|")), **flags
    )


_OTHER_PERSON = (
    r"(?:boss|manager|ceo|cfo|coo|cmo|cro|vp|director|supervisor|jefe|jefa|founders?|owner|partners?|head"
    r"|gerente|directora|superior|team\s+lead)"
)
_MY_BOSS = (
    r"(?:my|mi)\s+(?:\w+\s+)?(?:boss|manager|ceo|cfo|cro|cmo|vp|director|supervisor|jefe|jefa|directora|gerente"
    r"|superior|head\s+of\s+\w+|team\s+lead)"
)
_THE_BOSS = (
    r"(?:the\s+|our\s+)?(?:boss|board|ceo|cfo|coo|cro|owner|owners|management|director|founders?|partners?"
    r"|committee|finance|procurement|vp|head\s+of\s+\w+)"
)
_EL_JEFE = (
    r"(?:el\s+jefe|la\s+jefa|el\s+director|la\s+directora|el\s+ceo|el\s+cfo|la\s+direcci[oó]n|el\s+gerente"
    r"|la\s+gerente|el\s+consejo|el\s+comit[eé]|los\s+socios|el\s+due[nñ]o|la\s+due[nñ]a|finanzas|compras)"
)
_BUSINESS = (
    r"(?:company|business|agency|firm|shop|startup|store|consultancy|studio|practice|brand|franchise|clinic"
    r"|restaurant|organi[sz]ation)"
)
_NEGOCIO = (
    r"(?:empresa|negocio|agencia|tienda|despacho|consultora|startup|compa[nñ][ií]a|pyme|firma|estudio"
    r"|restaurante|cl[ií]nica|franquicia|sociedad)"
)
_SOMEONE_ELSE_DECIDES = "recommends, someone else decides"

# Statements beat titles: "I'm a manager but I sign off" is a decision-maker,
# "I'm the director but my boss decides" an influencer. Earlier statements win.
_STATEMENTS: tuple[_Statement, ...] = (
    _statement(
        INFLUENCER,
        _SOMEONE_ELSE_DECIDES,
        r"\bi\s+(?:don'?t|do\s+not|can'?t|cannot)\s+(?:decide|sign|approve|make\s+the\s+(?:final\s+)?(?:call|decision)"
        r"|have\s+(?:the\s+)?(?:final\s+)?(?:say|authority|sign[\s-]?off|budget))"
        r"|\bno\s+(?:decido|firmo|apruebo)\b"
        r"|\bno\s+tengo\s+(?:la\s+)?(?:[uú]ltima\s+palabra|autoridad|poder\s+de\s+decisi[oó]n)",
        negatable=False,
        keys="n't|dont|cant|not|no ",
    ),
    _statement(
        INFLUENCER,
        _SOMEONE_ELSE_DECIDES,
        r"\bi\s+(?:would\s+|will\s+|'ll\s+)?recommend|recommend(?:ing)?\s+(?:it\s+)?to\s+my\s+(?:boss|manager|ceo|director)"
        r"|evaluat\w*\s+(?:it\s+|this\s+|options\s+|tools\s+)?(?:for|on\s+behalf\s+of)\s+(?:my|our|the)\s+team"
        rf"|\b{_MY_BOSS}\s+(?:will\s+|would\s+)?(?:decides?|approves?|signs?|has\s+the\s+final|makes\s+the\s+(?:call|decision)"
        r"|is\s+the\s+(?:decision[\s-]?maker|one\s+who\s+decides))"
        r"|\bi\s+(?:would\s+|'d\s+)?need\s+(?:approval|sign[\s-]?off|the\s+ok|the\s+go[\s-]ahead)\s+(?:from|of)"
        r"|\bi\s+influence|\bi'?m\s+part\s+of\s+the\s+decision"
        r"|\beval[uú]o\s+para\s+mi\s+equipo|estoy\s+evaluando\s+para|\b(?:le\s+)?recomiendo\s+a\s+mi"
        r"|\bmi\s+jef[ea]\s+(?:lo\s+)?(?:decide|aprueba|firma|tiene\s+la\s+[uú]ltima\s+palabra)"
        r"|\b(?:lo\s+)?(?:decide|aprueba|firma)\s+mi\s+(?:jef[ea]|director[a]?|gerente|superior|socio|socia)"
        r"|necesito\s+(?:la\s+)?aprobaci[oó]n|\bi\s+(?:just\s+)?(?:gather|collect)\s+(?:info|information|options)",
        keys=(
            "recommend|evaluat|decide|approve|sign|final|call|decision|need|influence|eval|recomiendo|"
            "jef|aprueba|firma|necesito|gather|collect"
        ),
    ),
    _statement(
        INFLUENCER,
        "is part of the decision, someone else has the final say",
        r"\bi'?m\s+(?:on|in|part\s+of)\s+the\s+(?:\w+\s+)?committee|\bcommittee\s+member"
        r"|\b(?:formo|soy)\s+parte\s+del\s+comit[eé]|\bestoy\s+en\s+el\s+comit[eé]|\bmiembro\s+del\s+comit[eé]",
        keys="committee|comit",
    ),
    # Someone else decides, said about others: an answer to the role question, but in a budget or
    # timing answer it is the approval process ("can't say until the director signs off").
    _statement(
        INFLUENCER,
        _SOMEONE_ELSE_DECIDES,
        rf"\b{_THE_BOSS}\s+(?:decides?|approves?|signs?\s+off|has\s+the\s+final\s+say|makes\s+the\s+(?:call|decision))"
        r"|\b(?:final\s+(?:say|call|decision|word|sign[\s-]?off)|the\s+decision)\s+(?:is|lies|rests|sits|stays)\s+with\s+(?!me\b)"
        r"|\bneed\s+(?:approval|sign[\s-]?off|the\s+ok)\s+from|\bpart\s+of\s+the\s+decision|\bi\s+(?:would\s+)?propose"
        rf"|\b{_EL_JEFE}\s+(?:lo\s+)?(?:decide|aprueba|firma)|\b(?:lo\s+)?(?:decide|aprueba|firma)\s+{_EL_JEFE}"
        r"|(?:la\s+)?(?:[uú]ltima\s+palabra|decisi[oó]n(?:\s+final)?)\s+(?:la\s+tiene|la\s+toma|es\s+de|est[aá]\s+en"
        r"|corresponde\s+a|recae\s+en)\s+(?!m[ií]\b)|\b(?:yo\s+)?(?:recomiendo|propongo)\b",
        strict=False,
        keys="decide|approve|sign|final|call|decision|decisi|need|propose|aprueba|firma|palabra|recomiendo|propongo",
    ),
    # Asked to look into it: the visitor researches, someone else will decide.
    _statement(
        INFLUENCER,
        "is looking into it for someone who decides",
        rf"\b(?:my|our|the|mi|nuestr[oa]|el|la)\s+(?:\w+\s+){{0,2}}?{_OTHER_PERSON}\b[^.;!?]{{0,40}}?"
        r"\b(?:asked|told|wants|wanted|sent|tasked|assigned|had|got)\s+me\b"
        r"|\bme\s+(?:pidi[oó]|pide|ha\s+pedido|han\s+pedido|pidieron|encarg[oó]|encargaron|ha\s+encargado|mand[oó]"
        r"|mandaron)\b|\bme\s+(?:dijo|dijeron|ha\s+dicho)\s+que\b|\bi\s+(?:was|'ve\s+been|have\s+been|got)\s+asked\s+to\b"
        rf"|\bi'?m\s+(?:looking\s+into|researching|checking\s+out|scouting)\s+(?:\w+\s+){{0,3}}?for\s+{_MY_BOSS}",
        strict=False,
        keys="me|asked|looking|research|checking|scouting",
    ),
    _statement(
        DECISION_MAKER,
        "decides on the purchase",
        r"\bi\s+(?:sign\s+off|sign\s+the|approve|decide|make\s+the\s+(?:final\s+)?(?:call|decision)|own\s+the\s+budget"
        r"|hold\s+the\s+budget|control\s+the\s+budget|have\s+the\s+(?:final\s+)?say|have\s+(?:full\s+)?(?:authority|sign[\s-]?off)"
        r"|hold\s+the\s+purse\s+strings)\b"
        r"|\bthe\s+budget\s+is\s+mine|\bit'?s\s+my\s+(?:budget|call|decision)|final\s+(?:say|call|decision)\s+is\s+mine"
        r"|\bi'?m\s+the\s+(?:decision[\s-]?maker|one\s+who\s+(?:decides|signs|approves|pays)|person\s+who\s+(?:decides|signs|approves))"
        r"|\bthe\s+buck\s+stops\s+with\s+me|\bdecision[\s-]?maker\s+here"
        r"|\byo\s+(?:decido|apruebo|firmo|mando)|\b(?:decido|apruebo|firmo|mando)\s+yo\b|el\s+presupuesto\s+es\s+m[ií]o"
        r"|la\s+(?:decisi[oó]n|[uú]ltima\s+palabra)\s+es\s+m[ií]a|tengo\s+la\s+[uú]ltima\s+palabra"
        r"|\bsoy\s+(?:el|la|quien)\s+(?:que\s+)?(?:decid[eo]|firm[ao]|aprueb[ao]|mand[ao]|pag[ao])\b|me\s+toca\s+decidir",
        keys=(
            "sign|approv|decid|call|decision|budget|say|authority|purse|one who|person who|buck|aprueb|"
            "firm|mando|presupuesto|palabra|decisi|soy|toca"
        ),
    ),
    # Owners describe what they do instead of giving a title.
    _statement(
        DECISION_MAKER,
        "runs their own business",
        rf"\bi\s+(?:run|own|co-?own|co-?run)\s+(?:the|a|an|my|our|this)?\s*(?:(?:small|little|tiny|family|own|\w+)\s+){{0,2}}?"
        rf"{_BUSINESS}\b(?!['’]s)|\bi\s+(?:co-?)?founded\b|\bi\s+(?:started|set\s+up)\s+(?:the|this|my|our)\s+(?:own\s+)?"
        rf"{_BUSINESS}|\bit'?s\s+my\s+(?:own\s+)?{_BUSINESS}|\bmy\s+own\s+{_BUSINESS}|\bthe\s+{_BUSINESS}\s+is\s+mine"
        r"|\bi'?m\s+(?:my\s+own\s+boss|the\s+boss)\b|\bi\s+work\s+(?:alone|for\s+myself)\b"
        r"|\bone[\s-](?:man|woman|person)\s+(?:band|show|shop|business|company|operation)"
        rf"|\b(?:dirijo|llevo|gestiono|tengo|regento|administro|mont[eé]|fund[eé]|cre[eé])\s+(?:el|la|un|una|mi|nuestr[oa])?\s*"
        rf"(?:(?:propi[oa]|peque[nñ][oa]|\w+)\s+){{0,2}}?{_NEGOCIO}\b"
        rf"|\bes\s+mi\s+(?:propi[oa]\s+)?{_NEGOCIO}\b|\bmi\s+propi[oa]\s+{_NEGOCIO}\b|\b(?:la\s+empresa|el\s+negocio)\s+es\s+m[ií][oa]"
        r"|\bsoy\s+mi\s+propi[oa]\s+jef[ea]|\bpor\s+cuenta\s+propia|\bpor\s+mi\s+cuenta\b"
        r"|\btrabajo\s+sol[oa]\b(?!\s+(?:en|con|de|para|los|las|el|la|un|una|por)\b)",
        keys=(
            "compan|business|agency|firm|shop|startup|store|consult|studio|practice|brand|franchise|"
            "clinic|restaurant|organi|empresa|negocio|agencia|tienda|despacho|compa|pyme|estudio|nica|"
            "franquicia|sociedad|founded|boss|alone|myself|one|jef|cuenta|solo|sola"
        ),
    ),
    _statement(
        DECISION_MAKER,
        "heads the department",
        rf"\bi\s+(?:run|head(?:\s+up)?)\s+(?:the\s+|our\s+)?(?:{_DEPARTMENT}|department|division)\b(?!\s+(?:team|pod|squad)\b)"
        r"|\bdirijo\s+(?:el|la)\s+(?:departamento|[aá]rea|divisi[oó]n)",
        keys="run|head|dirijo",
    ),
    # Managing people is at least an influencer, whatever the title.
    _statement(
        INFLUENCER,
        "leads a team",
        r"\bi\s+(?:manage|lead|run|supervise|oversee|coordinate|head(?:\s+up)?)\s+(?:the|our|my)\s+"
        r"(?P<what>(?:[\w&/-]+\s+){0,3}?(?:team|pod|squad|group|department))\b"
        r"|\bi\s+(?:manage|lead|run|supervise|oversee|coordinate|head(?:\s+up)?)\s+(?:the\s+|a\s+|an\s+|our\s+|my\s+)?"
        r"(?:[\w&/-]+\s+){0,3}?(?:team|teams|pod|squad|group|reps|sdrs|bdrs|aes|people|staff|crew|desk|department)\b"
        r"|\bi\s+(?:manage|lead|supervise|oversee)\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several)\b"
        r"|\breport(?:s|ing)?\s+(?:to|into)\s+me\b|\bi\s+have\s+(?:\d+|a\s+few|several)\s+(?:direct\s+)?reports"
        r"|\bi\s+have\s+a\s+team\s+of\b|\bmy\s+team\s+of\s+\d+|\b(?:i'?m|i\s+am)\s+in\s+charge\s+of\b"
        r"|\b(?:lidero|dirijo|gestiono|coordino|superviso|llevo|manejo)\s+(?:a\s+)?(?:el|un|mi|nuestro|al|los|las|una)?\s*"
        r"(?:equipo|\d+\s+personas|\w+\s+personas|(?:\d+\s+)?(?:comerciales|vendedores|sdrs|agentes))"
        r"|\ba\s+mi\s+cargo\b|\bestoy\s+a\s+cargo\s+de|\bme\s+encargo\s+de(?:l)?\s+(?:equipo|departamento|[aá]rea)"
        r"|\btengo\s+un\s+equipo\s+de\b|\bmi\s+equipo\s+de\s+\d+|\bme\s+reportan\b"
        # "I have 4 reps under me", "tengo 5 comerciales": people who work for the visitor.
        r"|\bi\s+have\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several)\s+(?:\w+\s+)?"
        r"(?:reps|sdrs|bdrs|aes|people|salespeople|sellers|agents|staff|employees|marketers)\b"
        r"|\b(?:under|below)\s+me\b"
        r"|\btengo\s+(?:a\s+)?(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|varios|varias|unos|unas)\s+"
        r"(?:\w+\s+)?(?:comerciales|vendedores|vendedoras|personas|sdrs|agentes|empleados|empleadas|trabajadores)\b",
        named_reason="leads the {}",
        floor=True,
        keys=(
            "manage|lead|run|supervis|oversee|coordinat|head|report|team|charge|lidero|dirijo|gestiono|"
            "coordino|superviso|llevo|manejo|cargo|equipo|reportan|have|under|below|tengo"
        ),
    ),
    _statement(
        INDIVIDUAL,
        "assists the person who decides",
        r"\bi'?m\s+(?:his|her|their|the\s+\w+'?s)\s+assistant|\bsoy\s+(?:su|el|la)\s+asistente",
        keys="assistant|asistente",
    ),
    _statement(
        INDIVIDUAL,
        "you'll be using the tool",
        r"\bi\s+(?:just|only)\s+use\s+(?:it|the\s+tool)|\bsolo\s+(?:lo\s+)?uso",
        keys="use|uso",
    ),
    _statement(
        NO_AUTHORITY,
        "is looking for a job",
        r"\blooking\s+for\s+(?:a\s+)?(?:job|work|an?\s+internship)|\bbusco\s+(?:trabajo|empleo|pr[aá]cticas)"
        r"|\bbuscando\s+(?:trabajo|empleo)|\bjob\s+hunting",
        keys="looking|busco|buscando|job",
    ),
    _statement(
        NO_AUTHORITY,
        "is asking for their studies",
        r"\bfor\s+(?:my|a)\s+(?:class|thesis|homework|course|dissertation|assignment|degree|master'?s)"
        r"|\bpara\s+(?:mi|un|una)\s+(?:clase|tesis|tfg|tfm|asignatura|trabajo\s+de\s+(?:clase|fin\s+de))",
        keys="class|thesis|homework|course|dissertation|assignment|degree|master|para ",
    ),
)

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
    r"|\b(?:boss|jef[ea]|manager|supervisor)\s+(?:is|es|was|era)\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+|un\s+|una\s+)?"
    r"|\b(?:talk|speak|hablar|report|reporto)\w*\s+(?:to|with|con|a)\s+(?:the\s+|el\s+|la\s+)?)$"
)
# "my manager, the VP of Sales, asked me": the title names the person just mentioned.
_APPOSITIVE = re.compile(
    rf"\b(?:my|our|his|her|their|mi|nuestr[oa]|su)\s+(?:\w+\s+)?{_OTHER_PERSON}\s*,\s*(?:the|el|la|our|nuestr[oa])\s+$"
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
    r"(?:\s+(?:of|de|del|de\s+la|for)?\s*(?!(?:a|an|the|el|la|un|una|my|our|mi|of|de|del|for|at|en|and|y)\b)[a-záéíóúñ&]{2,})?"
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
    overriding = next((s for s in statements if not s.floor), None)
    titles = [t for t in _titles(said) if not strict or _talks_about_self(said, t)]
    candidates = titles + [s for s in statements if s.floor]
    best = overriding or (max(candidates, key=lambda t: (_RANK[t.role], t.is_title, -t.start)) if candidates else None)
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
            found.append(_Found(statement.role, m.start(), m.end(), reason, floor=statement.floor, named=named))
            break
    return found


def _titles(text: str) -> list[_Found]:
    found: list[_Found] = []
    end = 0
    for start in _WORD_START.finditer(text):
        if start.start() < end:
            continue
        title_pattern = _TITLE_BY_LETTER.get(start.group(0))
        m = title_pattern.match(text, start.start()) if title_pattern else None
        if m is None:
            continue
        end = m.end()
        group = (m.lastgroup or "").split("_")[0]
        if found and text[found[-1].end : m.start()].strip() == "":
            if _MANAGES_THE_TITLE_BEFORE.fullmatch(m.group(0)) and found[-1].role in (INDIVIDUAL, NO_AUTHORITY):
                # "SDR manager": the English head noun is the job, the title before it is who is managed.
                found[-1] = _Found(_GROUP_CLASS[group], found[-1].start, m.end(), is_title=True)
            continue  # "director comercial", "Sales rep": a qualifier of the title before it
        before = _clause_before(text, m.start())
        if _PLURAL_TITLE.fullmatch(m.group(0)) and not (_ONE_OF.search(before) or _WE_ARE.search(before)):
            continue  # "our SDRs", "AEs ignore MQLs": the visitor's colleagues, not the visitor
        if _NEGATION.search(before) or (_REFERENCE.search(before) and not _ONE_OF.search(before)):
            continue
        if _NOT_A_PERSON_AFTER.match(text, m.end()) or _someone_else(text, m.start(), m.end()):
            continue
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
    if word not in _TYPOS_THAT_ARE_WORDS and _is_word(word):
        return None  # "encantado", "empezado", "superior": a word of its own, however close
    if folded.endswith("s") and (folded[:-1] in _TYPO_FOLDED or folded[:-2] in _TYPO_FOLDED):
        return None  # a plural: the title patterns decide whether it is a title
    best, best_distance = None, 3
    for folded_target, target in _TYPO_BY_LETTER.get(folded[0], ()):
        limit = 1 if len(folded_target) <= 7 else 2
        if abs(len(folded) - len(folded_target)) > limit:
            continue
        distance = _edit_distance(folded, folded_target, limit)
        if distance <= limit and distance < best_distance:
            best, best_distance = target, distance
    return best


def _is_word(word: str) -> bool:
    """Whether the English or Spanish lemma tables know ``word`` (as a lemma or an inflection)."""
    return word in _lemmas() or any(isinstance(_lemma_table(lang).get(word), str) for lang in LANGUAGES)


@lru_cache(maxsize=1)
def _lemmas() -> frozenset[str]:
    # The tables map inflections to lemmas; the lemmas themselves are only among the values.
    return frozenset(lemma for lang in LANGUAGES for lemma in _lemma_table(lang).values() if isinstance(lemma, str))


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (swapping two neighbours is one edit), or ``limit + 1``
    as soon as it must exceed ``limit``. difflib's ratio is no edit count, so it cannot tell
    "manger" (one edit from "manager") from ordinary words the same ratio away."""
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return previous[-1]
