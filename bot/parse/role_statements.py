"""Authority statements: what visitors say about who decides, in English and Spanish.

Owns ``_STATEMENTS`` ("I sign off", "lo decide mi jefe"): what ``parse_role`` reads besides job titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parse.role_words import _DEPARTMENT, DECISION_MAKER, INDIVIDUAL, INFLUENCER, NO_AUTHORITY


@dataclass(frozen=True)
class _Statement:
    """An authority statement ("I sign off", "lo decide mi jefe") and what it tells the visitor."""

    role: str
    reason: str  # shown to the visitor: plain words, second person
    pattern: re.Pattern[str]
    strict: bool = True  # about the visitor's own authority, so read even when role was not asked
    floor: bool = False  # a lower bound only: a title may rank higher ("director, I manage 8 people")
    fallback: bool = False  # only when no title or other statement says more ("BDR, my VP asked me to look")
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
SOMEONE_ELSE_DECIDES = "recommends, someone else decides"
_SOMEONE_ELSE_DECIDES = SOMEONE_ELSE_DECIDES
# Job seeking said of other people ("gente buscando trabajo" filling the forms) is not the visitor's.
_OTHERS = (
    r"(?<!gente )(?<!people )(?<!folks )(?<!personas )(?<!candidates )(?<!candidatos )(?<!students )"
    r"(?<!who are )(?<!que est[aá]n )(?<!que andan )"
)

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
        r"|necesito\s+(?:la\s+)?aprobaci[oó]n|\bi\s+(?:just\s+)?(?:gather|collect)\s+(?:info|information|options)"
        # whoever decides takes the visitor's advice: "she usually follows my recommendation"
        r"|\b(?:follows?|goes\s+with|go\s+with|takes|listens\s+to|trusts)\s+(?:\w+\s+)?(?:my\s+)?(?:recommendations?"
        r"|advice|suggestions?|what\s+i\s+(?:suggest|recommend|propose))"
        r"|\b(?:sigue|siguen|hace\s+caso\s+a|tiene\s+en\s+cuenta|se\s+f[ií]a\s+de)\s+(?:de\s+)?(?:mis?|lo\s+que)\s+"
        r"(?:recomendaci|recomiendo|consejo|propuesta|propongo|digo)"
        r"|\bi\s+(?:put\s+together|prepare|draw\s+up|shortlist)\s+(?:the\s+|a\s+)?(?:options|shortlist|proposals?)"
        r"|\b(?:le|les)\s+paso\s+(?:las?|los|mis)\s+(?:propuestas?|opciones|comparativas?|informes?)\s+a\s+mi\s+"
        r"(?:jef[ea]|director[a]?|gerente|superior|socio|socia)",
        keys=(
            "recommend|evaluat|decide|approve|sign|final|call|decision|need|influence|eval|recomiendo|"
            "jef|aprueba|firma|necesito|gather|collect|follow|go with|goes with|takes|listens|trusts|sigue|caso|"
            "en cuenta|fía|fia|picks|chooses|paso"
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
        rf"|\b(?:el|la|quien)\s+que\s+(?:decide|firma|aprueba|manda)\s+es\s+{_EL_JEFE}"
        rf"|\b(?:quien|qui[eé]n)\s+(?:decide|firma|aprueba|manda)\s+es\s+{_EL_JEFE}"
        rf"|\b(?:the\s+one\s+who|who(?:ever)?)\s+(?:decides|signs|approves)\s+is\s+{_THE_BOSS}"
        r"|(?:la\s+)?(?:[uú]ltima\s+palabra|decisi[oó]n(?:\s+final)?)\s+(?:la\s+tiene|la\s+toma|es\s+de|est[aá]\s+en"
        r"|corresponde\s+a|recae\s+en)\s+(?!m[ií]\b(?!\s+(?:jef|director|socio|superior|gerente|responsable|boss)))"
        r"|\b(?:yo\s+)?(?:recomiendo|propongo)\b"
        # "my VP of Sales is the one who'd sign", "el que firma es mi jefe", "yo le paso la recomendación"
        r"|\b(?:my|mi|our|nuestr[oa])\s+(?:[\w-]+\s+){0,3}(?:is|'s|es|ser[ií]a|would\s+be)\s+(?:the\s+one\s+who"
        r"(?:'d|\s+would|\s+will)?\s+(?:sign|decide|approve)|(?:quien|el\s+que|la\s+que)\s+(?:decide|firma|aprueba))"
        r"|\b(?:el|la|quien)\s+que\s+(?:decide|firma|aprueba)\s+es\s+(?:mi|nuestr[oa])\s+"
        r"|\b(?:yo\s+)?le\s+paso\s+(?:la|mi)\s+recomendaci[oó]n|\bi\s+(?:just\s+)?(?:pass|send)\s+(?:on\s+)?(?:my|the)"
        r"\s+recommendation|\byo\s+(?:solo\s+)?preparo\s+(?:la|el)\s+(?:comparativa|informe|propuesta)"
        r"|\bi'?m\s+(?:the\s+one\s+)?(?:building|writing|putting\s+together)\s+the\s+business\s+case"
        r"|\b(?:[eé]l|ella)\s+ser[ií]a\s+(?:quien|el\s+que|la\s+que)\s+(?:decide|firma|aprueba)",
        strict=False,
        keys=(
            "decide|approve|sign|final|call|decision|decisi|need|propose|aprueba|firma|palabra|recomiendo|propongo"
            "|recomendaci|recommendation|preparo|business case"
        ),
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
        fallback=True,
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
        rf"|\bi'?m\s+the\s+(?:whole\s+)?{_BUSINESS}\b|\bjust\s+me\b[^.;!?]{{0,30}}\b(?:owner|business|company|founder|boss)\b"
        r"|\bone[\s-](?:man|woman|person)\s+(?:band|show|shop|business|company|operation)"
        # "I own it, it's just me and 2 sales guys": the business, said as "it" or "the place".
        r"|\bi\s+(?:own|run)\s+(?:it|the\s+(?:place|joint|show))\b(?!\s+(?:by|past|through|for|on)\b)"
        rf"|\b(?:dirijo|llevo|gestiono|tengo|regento|administro|mont[eé]|fund[eé]|cre[eé])\s+(?:el|la|un|una|mi|nuestr[oa])?\s*"
        rf"(?:(?:propi[oa]|peque[nñ][oa]|\w+)\s+){{0,2}}?{_NEGOCIO}\b"
        rf"|\bes\s+mi\s+(?:propi[oa]\s+)?{_NEGOCIO}\b|\bmi\s+propi[oa]\s+{_NEGOCIO}\b|\b(?:la\s+empresa|el\s+negocio)\s+es\s+m[ií][oa]"
        r"|\bsoy\s+mi\s+propi[oa]\s+jef[ea]|\bpor\s+cuenta\s+propia|\bpor\s+mi\s+cuenta\b"
        r"|\btrabajo\s+sol[oa]\b(?!\s+(?:en|con|de|para|los|las|el|la|un|una|por)\b)",
        keys=(
            "compan|business|agency|firm|shop|startup|store|consult|studio|practice|brand|franchise|"
            "clinic|restaurant|organi|empresa|negocio|agencia|tienda|despacho|compa|pyme|estudio|nica|"
            "franquicia|sociedad|founded|boss|alone|myself|one|jef|cuenta|solo|sola|own it|run it|place|joint|show"
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
        r"|\b(?:under|below)\s+me\b",
        named_reason="leads the {}",
        floor=True,
        keys=(
            "manage|lead|run|supervis|oversee|coordinat|head|report|team|charge|lidero|dirijo|gestiono|"
            "coordino|superviso|llevo|manejo|cargo|equipo|reportan|have|under|below|tengo"
        ),
    ),
    # "I have 4 reps", "tengo 5 comerciales": people who work for the visitor, or for the company
    # the visitor owns; an answer to the role question, never a role volunteered in a need answer.
    _statement(
        INFLUENCER,
        "leads a team",
        r"\bi\s+have\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several)\s+(?:\w+\s+)?"
        r"(?:reps|sdrs|bdrs|aes|people|salespeople|sellers|agents|staff|employees|marketers)\b"
        r"|\btengo\s+(?:a\s+)?(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|varios|varias|unos|unas)\s+"
        r"(?:\w+\s+)?(?:comerciales|vendedores|vendedoras|personas|sdrs|agentes|empleados|empleadas|trabajadores)\b",
        floor=True,
        strict=False,
        keys="have|tengo",
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
        rf"{_OTHERS}\blooking\s+for\s+(?:a\s+)?(?:job|work|an?\s+internship)|\bbusco\s+(?:trabajo|empleo|pr[aá]cticas)"
        rf"|{_OTHERS}\bbuscando\s+(?:trabajo|empleo)|\bjob\s+hunting",
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
