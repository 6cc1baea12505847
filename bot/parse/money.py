"""Budget answers: amounts, currencies, periods and ranges in English and Spanish.

Owns ``parse_budget``, which turns "2.000 € al mes" or "$15-25k" into an annual amount in the SLA currency.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.parse.base import Answer, Criterion, Kind
from bot.parse.numbers import normalize, to_float


def _words(pattern: str) -> re.Pattern[str]:
    """A phrase list that only matches from the start of a word.

    Python tries every branch of an alternation at every offset; anchoring at a word start
    makes the long phrase lists below ~8x cheaper on a long message.
    """
    return re.compile(rf"(?=\w)\b(?:{pattern})")


# 1 unit of key = N euros. Used to derive cross rates when the SLA currency is not EUR, so
# "$" still converts to "£" without the caller passing rates.
_EUR_RATES: Mapping[str, float] = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}
_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£"}
_PER_YEAR = {"year": 1, "once": 1, "quarter": 4, "month": 12, "week": 52}
# How the period reads in the reason the visitor sees ("Got it: €2,000 a month = €24,000 a year").
_PERIOD_WORDS = {"year": " a year", "once": " one-off", "quarter": " a quarter", "month": " a month", "week": " a week"}

_CURRENCY_OF = [
    (re.compile(r"€|eur|euro|pavo"), "EUR"),
    (re.compile(r"£|gbp|pound|libra|quid"), "GBP"),
    (re.compile(r"\$|usd|dollar|d[oó]lar|buck"), "USD"),
]
# A currency named on its own, away from the figure: "1,000-1,500 a month, in dollars", "son libras".
_LOOSE_CURRENCY = re.compile(
    r"(?<![a-z])(?:us\s+dollars?|dollars?|usd|d[oó]lar(?:es)?|bucks|pounds?(?:\s+sterling)?|sterling|gbp|quid"
    r"|libras?(?:\s+esterlinas)?|euros?|eur)(?![a-z])"
)
_NOT_THIS = re.compile(
    r"(?:\bnot|\bno|\bnor|\bni|\binstead\s+of|\ben\s+vez\s+de|\ben\s+lugar\s+de)\s+(?:in\s+|en\s+)?$"
)
_PRE_CURRENCY = r"€|us\$|\$|£|usd|eur|gbp"
_POST_CURRENCY = (
    r"€|us\$|\$|£|usd|eur|gbp|euros?|pavos|dollars?|d[oó]lar(?:es)?|bucks|pounds?|quid"
    r"|libras?(?:\s+esterlinas)?"
)
# Thousands-grouped numerals first, then space-grouped ("20 000"), then plain/decimal ones.
_NUMERAL = (
    r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)"
    r"|\d{1,3}(?:[ \u00a0]\d{3})+(?![\d.,])"
    r"|\d+(?:[.,]\d+)?"
)
_MULTIPLIER = r"k|mil|millones|mill[oó]n|millions?|mill|mio|mm|m|thousand|grand|bn|billion"
_AMOUNT = re.compile(
    rf"(?:(?<![a-z])(?P<pre>{_PRE_CURRENCY})\s*)?"
    rf"(?<![\w.,/])(?P<num>{_NUMERAL})"
    r"(?P<ish>\s*-?\s*ish\b)?"
    rf"(?:\s*(?P<mult>{_MULTIPLIER})(?![a-zá-ú]))?"
    r"(?P<ish2>\s*-?\s*ish\b)?"
    r"(?P<half>\s*(?:y\s+medio|and\s+a\s+half))?"
    rf"(?:\s*(?:de\s+)?(?P<post>{_POST_CURRENCY})(?![a-z]))?"
)
_HUNDREDS = re.compile(r"hundred|ient[oa]s\b", re.I)
# An answer names a few amounts; past this many it is a pasted table, and reading every
# figure would cost milliseconds on each message.
_MAX_AMOUNTS = 12
_MULTIPLIER_VALUE = {
    "k": 1e3, "mil": 1e3, "thousand": 1e3, "grand": 1e3,
    "m": 1e6, "mm": 1e6, "mio": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6,
    "millón": 1e6, "millon": 1e6, "millones": 1e6, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|to|and|or|hasta|till|a|y|o)\s*(?=\d|€|\$|£|usd|eur|gbp|us\$)")
# Numbers followed by these count things, not money ("20 reps", "in 3 months", "15%").
_NOT_MONEY = re.compile(
    r"\s*(?:%|percent|por\s*(?:ciento|100\b)|leads?\b|users?\b|usuari|visit|people|personas|employees"
    r"|emplead|contacts?\b|contactos|e-?mails?\b|correos|records|registros|calls|llamadas|reps\b"
    r"|seats|licen[cs]|months?\b|mes(?:es)?\b|years?\b|a[nñ]os?\b|days?\b|d[ií]as?\b|weeks?\b"
    r"|semanas?\b|hours?\b|horas?\b|h\b|min|clients?\b|clientes|customers|deals|opportunit"
    r"|oportunidad|compan|empresas|vendedores|comerciales|agent|x\b|times\b|veces|am\b|pm\b"
    r"|st\b|nd\b|rd\b|th\b|º|ª|/\d|:\d|sdrs?\b|bdrs?\b|salespeople|members|miembros)"
)
_BUDGET_WORD = _words(
    r"budget|presupuest|partida|spend|gast|invest|invert|inversi[oó]n|\bpay|\bpag[aoó]|price|precio|justif"
    r"|afford|cost|ticket|\bfee|cuota|allocat|asignad|set aside|reservad|money|dinero|importe|amount|cifra"
)
_PERIODS = [
    ("month", re.compile(
        r"(?<!in )(?<!en )(?:per|a|each|every|/|por|al|cada|x)\s*(?:month|mo|mth|mes)\b"
        r"|monthly|mensual|\bp/m\b|\bpcm\b")),
    # "a quarter of that" is a share of an amount, not a period.
    ("quarter", re.compile(
        r"(?<!in )(?<!en )(?:per|a|each|every|/|por|al|cada)\s*(?:quarter|qtr|q|trimestre)\b(?!\s+of\b)"
        r"|quarterly|trimestral")),
    ("week", re.compile(
        r"(?<!in )(?:per|a|each|every|/|por|a la|cada)\s*(?:week|wk|semana)\b|weekly|semanal")),
    ("year", re.compile(
        r"(?<!in )(?<!en )(?:per|a|an|each|every|/|por|al|cada)\s*(?:year|yr|annum|a[nñ]o)\b"
        r"|yearly|annual|anual|\bp\.a\.")),
    ("once", re.compile(
        r"oneoff|one[\s-]?shot|in total|en total|\btotal\b|pago [uú]nico|una (?:sola )?vez"
        r"|upfront|lump sum|paid once|pay once|single payment")),
]  # fmt: skip
# Before the amount "total" is the whole budget ("our total budget is 100k"), not a one-off payment.
_ONCE_BEFORE = re.compile(r"oneoff|one[\s-]?shot|pago [uú]nico|una (?:sola )?vez|upfront|lump sum|single payment")
_APPROXIMATE = re.compile(
    r"around|about|approx|roughly|~|circa|\bca\.|\bunos\b|\bunas\b|alrededor|aproximad"
    r"|m[aá]s o menos|cerca de|\bsobre\b|ish\b|or so|give or take"
)
_HEDGE = re.compile(r"\bidk\b|not sure|maybe|perhaps|probably|quiz[aá]s?|tal vez|igual\b|no s[eé]\b|i guess|\?")
_UP_TO = re.compile(r"up to|max|at most|no more than|hasta|m[aá]ximo|como mucho|a lo sumo|tops\b")
# "under 5k" is below the figure said: it must land in the band under it, as the button does.
_BELOW = re.compile(
    r"(?:under|below|less than|lower than|short of|beneath|menos de|por debajo de|inferior a|no llega(?:mos)? a)\s*$"
)

# Money in the answer that is not what the visitor has for this purchase: what was spent or
# quoted before, what the business spends on other things, earns or pays people. Read per clause.
_ELSEWHERE = _words(
    r"last year|el a[nñ]o pasado|el pasado a[nñ]o|in the past|en el pasado|previous|\banterior\b|\bago\b|\bhace \d"
    r"|used to|sol[ií]amos|\bspent\b|\bpaid\b(?! (?:once|monthly|yearly|annually|upfront|quarterly))|wasted"
    r"|pag[aá]bamos|gast[aá]bamos|gastó|gastaron|pagó|pagaron|invertimos en su d[ií]a"
    r"|(?<!would )(?<!could )(?<!can )(?<!might )(?<!must )(?<!to )(?<!n't )(?<!not )cost(?:s|ed)? us"
    r"|nos cost[oó]|nos sali[oó]|nos cuestan?\b|nos supone|quoted|quote (?:from|of|was)|cotiz"
    r"|nos (?:pidieron|ped[ií]an|ofrecieron|presupuestaron|cobraban|cobran|cobra)\b|charged"
    r"|(?:another|other|previous|old) (?:vendors?|tools?|providers?|suppliers?)|competitor|competencia"
    r"|otr[oa]s? (?:proveedor|herramienta|empresa)|current (?:tool|vendor|provider|solution|crm)"
    r"|(?:herramienta|proveedor|crm) actual|our (?:products?|pricing)|nuestros? productos?"
    r"|we (?:charge|sell)|cobramos|vendemos"
    # Money of the business rather than for the purchase: ads, salaries, revenue, deal sizes.
    r"|\bads?\b|advertising|adwords|\bppc\b|campa[nñ]a|publicidad|anuncios|salar|sueldo|payroll|n[oó]mina"
    r"|wages|headcount|revenue|turnover|\barr\b|\bmrr\b|factur|ingresos|ventas (?:de|anuales|por)"
    r"|en ventas|in sales|sales of|annual sales|deal (?:size|value)|deals? (?:of|worth|at|are|is)\b"
    r"|(?:average|avg|typical|biggest|closed|won) (?:\S+ )?deal|ticket medio|average (?:ticket|contract|order)"
    r"|contract value|\bacv\b|\bltv\b|\bcac\b|per lead|por lead|cost per|coste? por"
    r"|(?:reps?|sdrs?|bdrs?|aes?|comercial(?:es)?|vendedor(?:es)?) (?:costs?|earns?|makes?|is paid|cobra|gana|cuesta)"
    r"|(?:on|to|for|with|en|a|con|para) (?:an?|the|our|una|la|nuestra) (?:agency|agencia|consultant|consultora?"
    r"|consultancy|freelancer?)|consultancy fees?"
    r"|raised (?:a |an |our )?(?:\d|€|\$|£|seed|series|round|funding|money|capital)|funding round|ronda de"
    r"|valuation|valoraci|\blost\b|perdimos|perdemos|losing|(?:in|en|of|de) (?:the |our |el |nuestro )?pipeline"
    r"|pipeline (?:of|worth|value|is|de)|profit|beneficio|margin|margen"
)
# What the visitor pays today for the tool they have: the price to beat, not the budget for this
# purchase ("we pay 2,400 a year for the current form tool", "estamos pagando 600 al mes por el CRM").
# A present-tense payment (not "we'll pay", "we could pay") said with a word for today or the tool they have.
_PAYS_NOW = _words(
    r"(?:we|i) (?:currently |already |now |still )?(?:pay|spend)\b|(?:we'?re|we are|i'?m|i am) (?:currently |already "
    r"|now |still )?(?:paying|spending|charged)|(?:currently|already) (?:paying|spending)\b"
    r"|(?<!would )(?<!could )(?<!can )(?<!will )(?<!to )costs?(?: us)?\b"
    r"|(?:estamos|estoy) (?:pagando|gastando)|pagamos\b|gastamos\b|nos (?:cuesta|sale|cobran)\b"
)
_TODAY = _words(
    r"current(?:ly)?|existing|already|right now|at the moment|these days|today|now\b|ahora|actualmente"
    r"|hoy en d[ií]a|\bya\b|\bactual\b|que (?:tenemos|usamos|utilizamos)|(?:we|i) (?:have|use) (?:now|today)"
    r"|(?:for|on) our (?:\w+ ){0,2}?(?:tool|crm|chat\w*|bot|software|platform|subscription|licen[cs]es?"
    r"|plan|vendor|provider|form\w*|system)\b"
    r"|(?:por|en) (?:el|la|los|las|nuestr[oa]s?) (?:\w+ ){0,2}?(?:crm|chat\w*|bot|herramienta|software|programa"
    r"|plataforma|suscripci[oó]n|licencias?|proveedor|formulario|sistema)\b"
)
# Volunteered money counts as the budget only in words of having or paying for the purchase.
_PURCHASE = _words(
    r"budget|presupuest|partida|spend|\bgast[ao]|\bpay|\bpag[ao]|invest|invert|invier|inversi[oó]n|afford"
    r"|allocat|asignad|set aside|earmark|reservad|destinad|destinar|approved|aprobad|\bfor (?:this|it|you)\b"
    r"|para (?:esto|eso|ello|vosotros|ustedes)\b|\bwe(?:'ve| have| got)\b|tenemos|contamos con|disponemos"
    r"|\bhay\b|willing|dispuestos|price|precio|\bcost|(?:can|could|would|'d) (?:do|go|stretch|manage)"
    r"|podr[ií]amos|podemos"
    # A restatement or correction of the visitor's own figure ("oops, I meant 50k", "son al trimestre").
    r"|\bmeant\b|\bi mean\b|make (?:that|it)\b|actually|sorry|oops|typo|correction|\bit'?s\b|\bit is\b"
    r"|\bthat'?s\b|quer[ií]a decir|quise decir|perd[oó]n|perdona|corrijo|correcci[oó]n|me equivoqu|me li[eé]"
    r"|en realidad|mejor dicho|\bson\b|\bes\b|\bser[ií]an?\b"
    # A limit said outright or relayed from a colleague ("he says up to 800 a month", "mi jefe dice que 10k").
    r"|justify|justificar|stretch|subir|llegar a|\bsays?\b|\bsaid\b|replied|confirm\w*|\bdice\b|\bdijo\b"
    r"|ha dicho|respondido|contestado"
)
# Words that may sit around a bare amount that is its own clause ("I'm the CTO, ~30k a year").
_FILLER = frozenset(
    {
        "about", "around", "approx", "approximately", "roughly", "maybe", "perhaps", "probably", "likely", "like",
        "say", "let's", "lets", "i'd", "guess", "think", "so", "or", "and", "the", "a", "an", "of", "our", "my",
        "is", "it's", "its", "would", "could", "be", "tops", "max", "maximum", "at", "most", "up", "to", "under",
        "below", "less", "than", "more", "over", "ish", "give", "take", "per", "each", "every", "month", "year",
        "week", "quarter", "annually", "yearly", "monthly", "quarterly", "weekly", "just", "only", "somewhere",
        "between", "from", "total", "all", "in", "eur", "euros", "dollars", "usd", "pounds", "ok", "okay", "hmm",
        "um", "well", "unos", "unas", "alrededor", "de", "aprox", "aproximadamente", "más", "mas", "menos", "o",
        "sobre", "hasta", "como", "mucho", "máximo", "maximo", "quizá", "quizás", "quiza", "quizas", "tal", "vez",
        "igual", "creo", "diría", "pues", "y", "el", "la", "los", "las", "un", "una", "es", "sería", "seria", "al",
        "por", "cada", "mes", "año", "ano", "semana", "trimestre", "anual", "anuales", "mensual", "mensuales",
        "entre", "en", "gbp", "quid", "libras", "dólares", "dolares", "son"
    }
)  # fmt: skip
_CLAUSE_BREAK = re.compile(
    r"[;!?\n—–]|[.,:](?!\d)|\s-\s|\b(?:but|pero|however|sin embargo|aunque|although|whereas|mientras que|this time"
    r"|esta vez)\b|\b(?:and|y)(?=\s+(?:we|i|this|esto|now|ahora|want|would|could|can|will|queremos|quiero|podemos"
    r"|podr[ií]amos|vamos|tenemos)\b)"
)
# Which of several amounts is the budget for this purchase: the part, not the whole.
_WHOLE = _words(
    r"\bwhole\b|entire|overall|\btotal\b|all (?:of )?(?:our|the)\b|company[- ]wide|across|combined"
    r"|for everything|tod[oa]s? (?:el|la|los|las|nuestr)|\bglobal\b|en general|el conjunto"
)
_PART = _words(
    r"\bthis (?:piece|part|bit|one|project|tool|solution|would|will|could|might|is)\b|\bfor this\b"
    r"|\bof (?:it|that|this)\b|para esto|para est[ae]\b|esta (?:parte|pieza)|de (?:eso|ello|ese|esa)\b"
    r"|esto (?:ser[ií]a|costar[ií]a|supondr[ií]a)|for (?:you|a (?:tool|solution) like)"
)

# "a tenth of that", "el doble", "20% more": an amount stated relative to one said before it.
_FRACTIONS = {
    "half": 1 / 2, "halves": 1 / 2, "mitad": 1 / 2, "third": 1 / 3, "thirds": 1 / 3, "tercio": 1 / 3,
    "tercios": 1 / 3, "tercera parte": 1 / 3, "quarter": 1 / 4, "quarters": 1 / 4, "cuarto": 1 / 4,
    "cuartos": 1 / 4, "cuarta parte": 1 / 4, "fifth": 1 / 5, "fifths": 1 / 5, "quinto": 1 / 5,
    "quintos": 1 / 5, "quinta parte": 1 / 5, "tenth": 1 / 10, "tenths": 1 / 10, "décimo": 1 / 10,
    "decimo": 1 / 10, "décima parte": 1 / 10, "decima parte": 1 / 10, "décima": 1 / 10, "decima": 1 / 10,
}  # fmt: skip
_MULTIPLES = {
    "double": 2.0, "doble": 2.0, "twice": 2.0, "triple": 3.0, "thrice": 3.0, "the same": 1.0,
    "lo mismo": 1.0, "mitad": 0.5,
}  # fmt: skip
_REFERENCE = (
    r"(?:that|it|this|the (?:total|budget|amount|figure|whole thing)|what (?:we|i)|eso|ello|esto"
    r"|lo (?:que|anterior)|la cifra|ese importe|(?:el )?total|(?:el )?presupuesto)\b"
)
_RELATIVE = _words(
    r"(?:(?P<nth>\d+)(?:th|ths)\b|(?:(?P<count>\d+)\s+)?(?P<frac>"
    r"halves|half|thirds?|quarters?|fifths?|tenths?|mitad|tercios?|tercera parte|cuartos?|cuarta parte"
    r"|quintos?|quinta parte|d[eé]cim[oa](?: parte)?))"
    rf"\s+(?:of|de|del)\s+{_REFERENCE}"
    r"|(?P<pct>\d+(?:[.,]\d+)?)\s*(?:%|percent|per cent|por\s*(?:ciento|100))\s+"
    rf"(?:(?:of|de|del)\s+{_REFERENCE}|(?P<more>more|less|m[aá]s|menos)\b)"
    r"|(?:(?P<times>\d+)\s*(?:times|veces|x)|(?P<mult>double|twice|triple|thrice|the same|lo mismo))"
    r"(?=\s*(?:that|this|it|what|as much|as last|the (?:budget|amount|figure)|el presupuesto|ese importe"
    r"|que|than|de lo|[.,;!?)]|$))"
    r"|\b(?:el|la|the)\s+(?P<mult2>doble|triple|mitad|double)\b(?!\s+(?:de|of)\s+(?:l[oa]s|the|our|nuestr|mis|sus)\b)"
    # "we had a quote at 9,500, so around that", "lo que pagamos ahora, más o menos": the same amount.
    r"|(?P<same>(?:(?:around|about|roughly|near|close to|similar to|something like|in line with|the same as|same as"
    r"|no more than|not more than|up to|at most|stay (?:at|around)|keep (?:it )?(?:at|around)|alrededor de|en torno a"
    r"|cerca de|parecido a|similar a|m[aá]s o menos|lo mismo que|igual que|como mucho|no m[aá]s de|hasta)"
    r"\s+(?:that (?:figure|number|amount|price)|that|this|it|eso|esto|ello|esa cifra|ese precio"
    r"|what (?:we|i) (?:pay|spend)(?: now| today| currently)?|lo que (?:pagamos|gastamos)(?: ahora| actualmente| hoy)?)"
    r"|something similar|about the same|roughly the same|more or less the same|algo (?:parecido|similar)"
    r"|m[aá]s o menos lo mismo))"
    r"(?=\s*(?:[.,;!?)]|$|(?:is|would be|works|est[aá] bien|nos vale|me vale|for (?:this|the new one)|para esto)\b))"
)
_COMPARED = re.compile(r"\s*(?:que|than|de lo que|of what|what|as (?:last|what|we))\b")

_NO_BUDGET = _words(
    r"\bno budget(?! yet)|without (?:a |any )?budget|(?:don'?t|do not|doesn'?t|does not|haven'?t|have not"
    r"|hasn'?t) (?:have|got) (?:a |any )?budget(?! yet)|zero budget|budget (?:is |of )?(?:zero|0|nil|none)\b"
    r"|no (?:money|cash|funds|funding)\b|not budgeted|nothing (?:budgeted|allocated|set aside|earmarked)"
    r"|budget(?:'?s| is| has been| was| got| remains)? (?:frozen|gone|zeroed|exhausted|used up|on ice)"
    r"|frozen budgets?|budget freeze|spending freeze|freeze on (?:spending|budgets?|new tools)"
    r"|not a (?:penny|cent|dime)"
    r"|zero (?:euros?|dollars?|pounds?|bucks)|nothing to spend|\b(?:only|just) (?:\w+ )?(?:free|gratis)\b"
    r"|free (?:tools?|stuff|plans?|tiers?|versions?|options?|software) only|only (?:if (?:it'?s )?)?free\b"
    r"|(?:has|have|needs?) to be free|must be free"
    r"|sin presupuesto(?! (?:definido|fijo|cerrado|concreto|asignado|todav|a[uú]n))"
    r"|no (?:tenemos|hay|tengo|contamos con|disponemos de) (?:ning[uú]n )?presupuesto"
    r"(?! (?:definido|fijo|cerrado|concreto|todav|a[uú]n))|presupuesto (?:es )?(?:cero|0)\b|cero presupuesto"
    r"|ning[uú]n presupuesto|presupuesto (?:est[aá] )?(?:congelado|agotado|bloqueado)"
    r"|congelad[oa]s? (?:el |los )?presupuesto|congelaci[oó]n (?:de|del) (?:presupuesto|gasto)"
    r"|sin (?:un )?(?:duro|euro|peso|c[eé]ntimo|dinero|blanca|pasta|plata|fondos|chavo)\b"
    r"|ni un (?:duro|euro|peso|c[eé]ntimo|d[oó]lar)|no (?:hay|tenemos|tengo) (?:ni )?(?:un )?(?:dinero|duro"
    r"|pasta|plata|fondos|partida|euro)\b|(?:no hay|sin|ninguna) partida|cero (?:euros?|d[oó]lares|pesos|libras)"
    r"|estamos (?:a cero|pelados|tiesos)|(?:solo|s[oó]lo|[uú]nicamente) (?:herramientas |opciones |cosas )?"
    r"(?:gratis|gratuit)|(?:tiene|ha) que ser gratis|nada de pago|autofinanciad"
)
# Only as the answer to the budget question: "lol we don't have one", "zero. we're bootstrapped".
_NO_BUDGET_BARE = re.compile(
    r"\W*(?:none|nothing|nada|zero|cero|0|nil|n/?a|no|nope|zilch|free|gratis|ninguno)\W*$"
    r"|\W*(?:zero|cero|none|nothing|nada|nil|nope|zilch|ninguno|ninguna)\b(?!\s*(?:idea|clue|yet|todav|a[uú]n|decid|sure))"
)
_NO_BUDGET_ASKED = _words(
    r"(?:don'?t|do not|doesn'?t) have (?:one|any)\b|haven'?t got (?:one|any)|there (?:is|'s)(?:n'?t| no) (?:one|any)\b"
    r"|no (?:tenemos|hay|tengo)(?: ninguno)?\W*$|\b(?:nothing|nada|zero|cero) (?:until|till|hasta|before|antes de"
    r"|this year|este a[nñ]o|for now|de momento|por ahora|right now|ahora mismo)"
    r"|bootstrap|self[- ]funded|(?:we'?re|we are) broke|\bskint\b|(?:can'?t|cannot) afford (?:it|anything|much"
    r"|that|a (?:tool|new))"
    # Not buying at all: no money for it ("not buying anything", "no voy a gastar en esto").
    r"|(?:not|never|n'?t (?:be|going to)|not going to|won'?t(?: be)?|will not(?: be)?|wouldn'?t(?: be)?)"
    r" (?:buy|spend|pay|purchas|invest)\w*(?=\W*$|\s+(?:anything|any\w*|nothing|a (?:thing|penny|cent|dime)|at all"
    r"|on (?:this|it|that)|for (?:this|it|that)|now|right now|this year|so|sorry|lol)\b|\s*[,.;!])"
    r"|(?:no (?:vamos|voy|pienso|pensamos|queremos|quiero) a? ?(?:comprar|gastar|pagar|invertir|contratar)"
    r"|no (?:compraremos|gastaremos|pagaremos|invertiremos|contrataremos)|no (?:estamos|estoy) (?:comprando"
    r"|pensando en comprar))(?=\W*$|\s+(?:nada|en (?:esto|eso)|esto|eso|ahora|este a[nñ]o|por ahora|de momento"
    r"|as[ií] que)\b|\s*[,.;!])"
)
# "no budget yet" is still open: the same words with "yet" are undecided, not none.
_YET = re.compile(r"\byet\b|todav[ií]a|\ba[uú]n\b")
_UNDECIDED = _words(
    r"not sure|unsure|(?:don'?t|do not) know|\bidk\b|no idea|no clue|ni idea|depends|depending on|depende"
    r"|\btbd\b|\btbc\b|to be (?:decided|determined|defined|confirmed)|por (?:decidir|definir|ver)"
    r"|\bno (?:lo )?s[eé]\b|no (?:lo )?sabemos|todav[ií]a no|a[uú]n no|not (?:yet )?decided"
    r"|(?:haven'?t|have not) decided|undecided|not yet|no estoy segur|need to check|let me check"
    r"|flexible|negotiable|negociable|we'?ll see|ya veremos|sin definir|not (?:defined|set|clear)"
    r"|no (?:est[aá] )?(?:definido|claro)|no budget yet|(?:don'?t|do not) have (?:a |any )?budget yet"
    r"|no hemos decidido|figuring|no (?:fixed|set|firm|defined|specific|clear) (?:budget|amount|number|figure)"
    r"|(?:hasn'?t|haven'?t|has not|have not|didn'?t|did not|isn'?t|is not|not) (?:been |yet )?"
    r"(?:allocated|approved|assigned|agreed|finali[sz]ed|budgeted|set aside|signed off)"
    r"|business case|(?:see|know|prove|show|calculate) (?:the )?roi|roi first|it varies|case by case"
    r"|(?:can'?t|cannot|couldn'?t|could not) (?:really )?(?:say|tell)|(?:hard|difficult|tough) to say"
    r"|pending|up in the air|working (?:on )?it out|figure (?:it|that) out|haven'?t (?:thought|discussed|talked)"
    r"|(?:once|when|after) (?:we|i) (?:see|know|get) (?:the |your |a )?(?:pric|quote|cost|number|proposal)"
    r"|budget(?:ing)? (?:review|cycle|round|season|planning|meeting|process|approval)"
    r"|ciclo presupuestario|cierre (?:del )?presupuest|revisi[oó]n (?:del )?presupuest"
    r"|(?:cuando|una vez) (?:veamos|sepamos|tengamos) (?:el |la |los )?(?:precio|propuesta|oferta|coste|n[uú]mero)"
    r"|no (?:hay|tenemos) (?:un |una )?(?:presupuesto|importe|cifra) (?:fij|cerrad|definid|concret|asignad)"
    r"|(?:no|sin) (?:est[aá] |han |ha |hemos )?(?:asignad|aprobad|fijad|definid|cerrad|decidid|concretad)"
    r"|sin (?:asignar|aprobar|definir|decidir|concretar|cerrar|fijar)|caso de negocio"
    r"|(?:ver|demostrar|calcular) (?:el )?(?:roi|retorno)|seg[uú]n (?:el |la |lo )?(?:precio|roi|retorno|que"
    r"|propuesta|oferta|coste|costo)|en funci[oó]n de|no (?:te |le |os )?(?:sabr[ií]a|s[eé]) (?:decir|cu[aá]nt)"
    r"|no (?:te |le |os )?(?:puedo|podr[ií]a) decir|dif[ií]cil (?:de )?decir|pendiente|en el aire"
    r"|estamos (?:vi[eé]ndolo|mir[aá]ndolo|en ello|valorando|evaluando)|no lo hemos (?:pensado|hablado|mirado"
    r"|calculado|visto)"
)
# Only as the answer to the budget question: volunteered, these are about someone's job or a
# meeting ("budget isn't my department"), not about the money.
_UNDECIDED_ASKED = _words(
    r"whatever it takes|within reason|lo que (?:haga falta|sea necesario|cueste|valga)|dentro de lo razonable"
    r"|not (?:my|up to me)|above my pay ?grade|up to (?:my|our|the) \w+|depende de (?:mi|nuestr|el|la)\b"
    r"|(?:my|the|our) \w+ (?:decides|will decide|sets)"
    r"|(?:need|have|has|got) to (?:ask|check|talk|speak|discuss|confirm|consult|run it by|get (?:it )?approv)"
    r"|(?:ask|check with|talk to|speak to|run it by|consult) (?:my|our|the)\b|signs? off|sign-off|approv"
    r"|we'?ll know|will know|lo sabremos|sabremos|lo veremos|veremos|planning|planificaci[oó]n"
    r"|(?:lo )?(?:tengo|tenemos|tendr[ií]a|tendr[ií]amos|hay) que (?:hablar|consultar|preguntar|ver|mirar"
    r"|revisar|comentar|validar|confirmar|aprobar|discutir|negociar)|(?:hablarlo|consultarlo|preguntarlo"
    r"|verlo|comentarlo|validarlo) con|consultar con|preguntar a|lo decide|decide (?:mi|el|la|nuestr)"
    r"|(?:cuando|hasta que) (?:lo )?(?:apruebe|aprueben|decida|decidan|firme|firmen|d[eé] el visto bueno)"
    r"|visto bueno|aprobaci[oó]n|no es (?:cosa|decisi[oó]n) m[ií]a|no me corresponde|no depende de m[ií]"
    r"|no lo llevo yo"
)


@dataclass(frozen=True)
class _Amount:
    value: float  # as said, before period and currency conversion (range midpoint)
    start: int
    end: int
    currency: str | None
    has_multiplier: bool
    is_range: bool
    said: str
    ends: tuple[float, float] | None = None  # a range's low and high ends
    basis: _Amount | None = None  # what a relative amount ("a tenth of that") is a share of
    factor: float = 1.0


def parse_budget(
    text: str,
    *,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
    strict: bool = False,
) -> Answer:
    """Read a budget as an annual amount in ``currency``.

    ``rates`` maps a visitor currency to its value in ``currency`` (1 USD = 0.92 EUR);
    when omitted, EUR/USD/GBP cross rates are derived from a built-in EUR table.
    """
    raw = text
    norm = normalize(text)
    amount, elsewhere = _best_amount(norm, strict=strict)
    if amount is None:
        return _no_amount(raw, norm, strict=strict, elsewhere=elsewhere)
    if amount.value == 0:
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.8, "no budget")

    period, period_end = _period(norm, amount)
    said_currency = amount.currency or currency.upper()
    target = currency.upper()
    rate = _rate(said_currency, target, rates)
    value = amount.value
    confidence = 0.9
    if (
        not amount.currency
        and not amount.has_multiplier
        and period is None
        and value < 1000
        and not _HUNDREDS.search(text)
    ):
        # A bare "20" to "what is your budget?" means thousands: nobody buys B2B software for €20.
        # "a couple hundred", "trescientos" say the hundreds in words: those mean what they say.
        value *= 1000
        confidence = 0.4
    note = ""
    if rate is None:
        rate, confidence = 1.0, min(confidence, 0.5)
        note = f" (not converted to {target})"
    annual = value * _PER_YEAR[period or "year"] * rate
    before = norm[max(0, amount.start - 25) : amount.start]
    approximate = bool(_APPROXIMATE.search(norm[max(0, amount.start - 25) : amount.end + 12]))
    if approximate or amount.is_range:
        confidence = min(confidence, 0.8)
    if _HEDGE.search(norm):
        confidence = min(confidence, 0.6)
    bound = "under" if _BELOW.search(before) else "up to" if _UP_TO.search(before[-15:]) else ""
    if bound == "under":
        annual = max(annual - 1, 0.0)  # just below the figure said, so it scores in the band under it

    span = (amount.start, max(amount.end, period_end)) if len(norm) == len(raw) else None
    scale = value / amount.value  # the bare-thousands reading, applied to every figure said
    words = _reason(amount, scale, said_currency, period, annual, target, bound, approximate) + note
    return Answer(
        criterion=Criterion.BUDGET,
        raw=raw,
        kind=Kind.VALUE,
        value=round(annual, 2),
        confidence=confidence,
        reason=words,
        currency=said_currency,
        amount=value,
        period=period or "year",
        span=span,
    )


def _best_amount(norm: str, *, strict: bool) -> tuple[_Amount | None, bool]:
    """The amount most likely to be the budget for this purchase, and whether other money was said.

    The amount carries the currency named apart from it ("1,000-1,500 a month, in dollars").

    Money spent before, quoted by someone else or spent on other things never counts; among
    the rest the most money-like wins, and the part for this purchase beats the whole it is cut from.
    """
    found = _amounts(norm)
    found += _relatives(norm, found)
    named = _currency_named_apart(norm, found)
    # Found once: each amount's clause is then a lookup, not a scan of the whole message.
    breaks = [hit.span() for hit in _CLAUSE_BREAK.finditer(norm)] if found else []
    best: _Amount | None = None
    best_score = -99
    elsewhere = False
    for amount in found:
        clause_start, clause_end = _clause(breaks, len(norm), amount.start, amount.end)
        if amount.basis is not None:
            # Only the words that say the new amount: "we paid 1k and want half of that",
            # "el triple que el año pasado" both name the old spend beside it.
            if amount.basis.end <= amount.start:
                clause_start = max(clause_start, amount.basis.end)
            clause_end = amount.end
        clause = norm[clause_start:clause_end]
        if _ELSEWHERE.search(clause) or (amount.basis is None and _pays_now(clause)):
            elsewhere = True
            continue
        near = norm[max(0, amount.start - 40) : amount.end + 25]
        score = 3 * bool(amount.currency or named) + 2 * amount.has_multiplier + bool(_BUDGET_WORD.search(near))
        # "400 al mes": a payment period right after the figure makes it money, said with or without a
        # currency; below 100 it more often counts things ("we can do 3 a week").
        score += strict and amount.value >= 100 and _period_right_after(norm, amount.basis or amount)
        # "so around that", "lo mismo": the visitor takes a figure just said as their own.
        same = amount.basis is not None and amount.factor == 1
        # "no more than €300 a month": a currency and a payment period together say budget anywhere.
        priced = bool(amount.currency or named) and _period_right_after(norm, amount.basis or amount)
        if strict and (
            score == 0
            or not (same or priced or _PURCHASE.search(clause) or _alone(norm, amount, clause_start, clause_end))
        ):
            continue
        if _PART.search(clause) or amount.basis is not None:
            score += 4
        elif _WHOLE.search(clause):
            score -= 4
        if score > best_score:
            best, best_score = amount, score
    if best is not None and best.currency is None and named:
        best = replace(best, currency=named)
    return best, elsewhere


def _pays_now(clause: str) -> bool:
    """Whether the clause tells what is paid today for the tool in place (see ``_PAYS_NOW``)."""
    return bool(_PAYS_NOW.search(clause) and _TODAY.search(clause))


def _currency_named_apart(norm: str, amounts: list[_Amount]) -> str | None:
    """The one currency the message names away from any figure ("in dollars", "son libras"), if any.

    A currency after "not" / "en vez de" is the one ruled out; two different ones name none.
    """
    if not amounts:
        return None
    said = set()
    for hit in _LOOSE_CURRENCY.finditer(norm):
        if any(a.start <= hit.start() < a.end for a in amounts) or _NOT_THIS.search(norm, 0, hit.start()):
            continue
        said.add(next(code for pattern, code in _CURRENCY_OF if pattern.search(hit.group(0))))
    return said.pop() if len(said) == 1 else None


def _period_right_after(norm: str, amount: _Amount) -> bool:
    after = norm[amount.end : amount.end + 20].lstrip()
    return any(pattern.match(after) for name, pattern in _PERIODS if name != "once")


def _amounts(norm: str) -> list[_Amount]:
    """Every number in ``norm`` that reads as money, in order."""
    found: list[_Amount] = []
    pos = 0
    while pos <= len(norm) and len(found) < _MAX_AMOUNTS:
        match = _AMOUNT.search(norm, pos)
        if match is None:
            break
        amount = _read_amount(norm, match)
        pos = max(amount.end if amount else match.end(), match.start() + 1)
        if amount is not None:
            found.append(amount)
    return found


def _relatives(norm: str, amounts: list[_Amount]) -> list[_Amount]:
    """Amounts said as a share or multiple of an earlier one: "a tenth of that", "el doble"."""
    if not amounts:
        return []
    found: list[_Amount] = []
    for match in _RELATIVE.finditer(norm):
        basis = next((a for a in reversed(amounts) if a.end <= match.start()), None)
        if basis is None and _COMPARED.match(norm, match.end()):
            # "el triple que el año pasado, que fueron 3.000 €": the basis comes after.
            basis = next((a for a in amounts if match.end() < a.start < match.end() + 60), None)
        factor = _factor(match)
        if basis is None or factor is None:
            continue
        value = basis.value * factor
        found.append(
            _Amount(value, match.start(), match.end(), basis.currency, basis.has_multiplier, False,
                    match.group(0), basis=basis, factor=factor)
        )  # fmt: skip
    return found


def _factor(match: re.Match[str]) -> float | None:
    if match["nth"]:
        return 1 / int(match["nth"]) if int(match["nth"]) > 1 else None
    if match["frac"]:
        return int(match["count"] or 1) * _FRACTIONS[match["frac"]]
    if match["pct"]:
        share = to_float(match["pct"]) / 100
        if match["more"]:
            return 1 + share if match["more"] in ("more", "más", "mas") else 1 - share
        return share or None
    if match["times"]:
        return float(match["times"]) or None
    if match["same"] is not None:
        return 1.0
    return _MULTIPLES[match["mult"] or match["mult2"]]


def _clause(breaks: list[tuple[int, int]], size: int, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause holding ``[start, end)``, given the clause breaks of the message."""
    index = bisect.bisect_right(breaks, (start, size))
    clause_start = next((e for s, e in reversed(breaks[:index]) if e <= start), 0)
    stop = next((s for s, _ in breaks[bisect.bisect_left(breaks, (end, -1)) :]), size)
    return clause_start, stop


def _alone(norm: str, amount: _Amount, clause_start: int, clause_end: int) -> bool:
    """Whether the amount is its own clause, with only hedges and a period around it."""
    _, period_end = _period(norm, amount)
    rest = norm[clause_start : amount.start] + " " + norm[max(amount.end, period_end) : clause_end]
    return all(word in _FILLER for word in re.findall(r"[\w'’]+", rest))


def _read_amount(norm: str, match: re.Match[str]) -> _Amount | None:
    """One amount (or range) starting at ``match``; ``None`` for counts, years and dates."""
    first = _single(match)
    end = match.end()
    if first is None or _NOT_MONEY.match(norm, end):
        return None
    value, currency, multiplier = first
    is_range = False
    ends: tuple[float, float] | None = None
    join = _RANGE_JOIN.match(norm, end)
    second = _AMOUNT.match(norm, join.end()) if join and join.end() > end else None
    read = _single(second) if second and not _NOT_MONEY.match(norm, second.end()) else None
    if second and read:
        high, high_currency, high_multiplier = read
        if multiplier or high_multiplier:
            # "15-25k": the multiplier said once applies to both ends.
            value *= multiplier or high_multiplier
        elif value and value < high / 100:
            # "between 10 and 20000", which is how alpha2digit writes "ten and twenty thousand".
            value *= 1e6 if value * 1e6 <= high else 1e3
        high *= high_multiplier or 1
        ends = (value, high)
        value = (value + high) / 2
        currency = currency or high_currency
        multiplier = multiplier or high_multiplier
        end, is_range = second.end(), True
    elif multiplier:
        value *= multiplier
    if value > 1e12:
        return None  # beyond any budget: a phone number, an ID or keyboard mashing
    said = norm[match.start() : end].strip()
    if _year_like(norm, match, value, currency, multiplier, end):
        return None
    return _Amount(value, match.start(), end, currency, bool(multiplier), is_range, said, ends)


# Words that make a following "2027" a year, and hedges that make a following "2000" an amount.
_YEAR_CONTEXT = re.compile(
    r"\b(?:in|en|for|para|since|desde|by|until|till|del|year|a[nñ]o|fy|(?:end|start|beginning|middle)\s+of"
    r"|(?:finales|principios|mediados)\s+de)\s*$"
)
_AMOUNT_HEDGE = re.compile(
    r"\b(?:about|around|approx\w*|roughly|maybe|max(?:imum)?|up\s+to|at\s+most|less\s+than|under|over"
    r"|more\s+than|unos|unas|sobre|como\s+(?:mucho|m[aá]ximo)|m[aá]ximo|hasta|menos\s+de|m[aá]s\s+de"
    r"|igual|quiz[aá]s?|tal\s+vez|aprox\w*)\s*$"
)
_NEAR_YEARS = (2015, 2040)


def _year_like(
    norm: str, match: re.Match[str], value: float, currency: str | None, multiplier: float, end: int
) -> bool:
    """A plain "2026" is a year, but "2.000 al mes", "2000 a month" and "como mucho 2000" are money.

    A number of the calendar's shape is a year after a time word ("in 2027", "finales de 2026"),
    or when it is a year near now and nothing hedges it as an amount; otherwise it is money.
    """
    if currency or multiplier or not match["num"].isdigit() or not 1900 <= value <= 2100:
        return False
    after = norm[end : end + 14]
    if any(pattern.match(after.lstrip()) for name, pattern in _PERIODS if name != "once"):
        return False
    before = norm[max(0, match.start() - 24) : match.start()]
    if _YEAR_CONTEXT.search(before):
        return True
    return _NEAR_YEARS[0] <= value <= _NEAR_YEARS[1] and not _AMOUNT_HEDGE.search(before)


def _single(match: re.Match[str]) -> tuple[float, str | None, float] | None:
    """(number, currency, multiplier) of one matched numeral, before applying the multiplier."""
    number = to_float(match["num"])
    multiplier = _MULTIPLIER_VALUE.get(match["mult"] or "", 0.0)
    if match["half"]:
        number += 0.5 if multiplier else 0.5 * (number if number in (1e3, 1e6) else 1)
    currency = None
    for pattern, code in _CURRENCY_OF:
        if pattern.search(match["pre"] or "") or pattern.search(match["post"] or ""):
            currency = code
            break
    return number, currency, multiplier


def _period(norm: str, amount: _Amount) -> tuple[str | None, int]:
    """The payment period said right after (or just before) the amount, with its end offset.

    A relative amount ("half of that") is paid as often as the amount it is a share of.
    """
    after = norm[amount.end : amount.end + 25]
    found: tuple[int, str, int] | None = None
    for name, pattern in _PERIODS:
        hit = pattern.search(after)
        if hit and (found is None or hit.start() < found[0]):
            found = (hit.start(), name, amount.end + hit.end())
    if found:
        return found[1], found[2]
    if amount.basis is not None:
        return _period(norm, amount.basis)[0], amount.end
    before = norm[max(0, amount.start - 30) : amount.start]
    for name, pattern in _PERIODS:
        if pattern.search(before) if name != "once" else _ONCE_BEFORE.search(before):
            return name, amount.end
    return None, amount.end


def _rate(said: str, target: str, rates: Mapping[str, float] | None) -> float | None:
    if said == target:
        return 1.0
    if rates is not None and said in rates:
        return rates[said]
    if said in _EUR_RATES and target in _EUR_RATES:
        return _EUR_RATES[said] / _EUR_RATES[target]
    return None


def _no_amount(raw: str, norm: str, *, strict: bool, elsewhere: bool) -> Answer:
    """An answer without a budget figure: none, undecided, or only other money mentioned."""
    if _NO_BUDGET.search(norm):
        if _YET.search(norm):
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.7, "budget not decided yet")
        return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.85, "no budget")
    undecided = _UNDECIDED.search(norm)
    if undecided and (not strict or _BUDGET_WORD.search(norm, max(0, undecided.start() - 40), undecided.end() + 40)):
        return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.7, "budget not decided yet")
    if not strict:
        if _UNDECIDED_ASKED.search(norm):
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.6, "budget not decided yet")
        if _NO_BUDGET_BARE.match(norm) or _NO_BUDGET_ASKED.search(norm):
            return Answer(Criterion.BUDGET, raw, Kind.NONE, None, 0.8, "no budget")
        if elsewhere:
            # Asked for a budget, they told what was spent or quoted before: no figure of their own yet.
            return Answer(Criterion.BUDGET, raw, Kind.UNDECIDED, None, 0.5, "budget not decided yet")
    return Answer.unknown(Criterion.BUDGET, raw, "no amount found")


def _money(value: float, currency: str) -> str:
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    symbol = _SYMBOL.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _reason(
    amount: _Amount,
    scale: float,
    said_currency: str,
    period: str | None,
    annual: float,
    currency: str,
    bound: str,
    approximate: bool,
) -> str:
    """The amount in plain words, as the visitor reads it back: "€2,000 a month = €24,000 a year"."""
    if amount.basis is not None and amount.factor != 1:
        said = f"{_share_words(amount.factor)} {_money(amount.basis.value * scale, said_currency)}"
    elif amount.ends is not None:
        low, high = amount.ends
        said = f"{_money(low * scale, said_currency)} to {_money(high * scale, said_currency)}"
    else:
        said = _money(amount.value * scale, said_currency)
    relative = amount.basis is not None and amount.factor != 1
    if not relative or period not in (None, "year"):
        said += _PERIOD_WORDS[period or "year"]
    converted = said_currency != currency
    plain = not converted and period in (None, "year", "once") and not relative and amount.ends is None
    prefix = f"{bound} " if bound else "about " if approximate or amount.ends or converted else ""
    if plain:
        return prefix + said
    shown = annual + 1 if bound == "under" else annual
    return f"{f'{bound} ' if bound else ''}{said} = {prefix}{_money(round(shown, 2), currency)} a year"


def _share_words(factor: float) -> str:
    """ "a tenth of", "twice": how a relative amount was said, in words."""
    named = {2.0: "twice", 3.0: "three times", 1.0: "the same as", 0.5: "half of", 0.25: "a quarter of"}
    for value, words in {**named, 1 / 3: "a third of", 0.2: "a fifth of", 0.1: "a tenth of"}.items():
        if abs(factor - value) < 1e-9:
            return words
    if factor > 1 and factor != int(factor):
        return f"{(factor - 1) * 100:g}% more than"
    return f"{factor:g} times" if factor > 1 else f"{factor * 100:g}% of"
