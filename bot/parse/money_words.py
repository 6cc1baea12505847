"""Money words: currencies, multipliers, periods and budget phrases as English and Spanish visitors write them.

Owns the phrase tables ``parse_budget`` reads to tell a budget from other money, none from undecided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def _words(pattern: str) -> re.Pattern[str]:
    """A phrase list that only matches from the start of a word.

    Python tries every branch of an alternation at every offset; anchoring at a word start
    makes the long phrase lists below ~8x cheaper on a long message.
    """
    return re.compile(rf"(?=\w)\b(?:{pattern})")


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
    r"last year|el a[nñ]o pasado|del a[nñ]o pasado|el pasado a[nñ]o|in the past"
    r"|en el pasado|previous|\banterior\b|\bago\b|\bhace \d"
    r"|used to|sol[ií]amos|\bspent\b|\bpaid\b(?! (?:once|monthly|yearly|annually|upfront|quarterly))|wasted"
    r"|pag[aá]bamos|gast[aá]bamos|gastó|gastaron|pagó|pagaron|invertimos en su d[ií]a"
    r"|(?<!would )(?<!could )(?<!can )(?<!might )(?<!must )(?<!to )(?<!n't )(?<!not )cost(?:s|ed)? us"
    r"|nos cost[oó]|nos sali[oó]|nos cuestan?\b|nos supone|quoted|quote (?:from|of|was)|cotiz"
    r"|nos (?:pidieron|ped[ií]an|ofrecieron|presupuestaron|cobraban|cobran|cobra)\b|charged"
    r"|(?:another|other|previous|old) (?:vendors?|tools?|providers?|suppliers?)|competitor|competencia"
    r"|otr[oa]s? (?:proveedor|herramienta|empresa)|current (?:tool|vendor|provider|solution|crm)"
    r"|(?:herramienta|proveedor|crm) actual|our (?:products?|pricing)|nuestros? productos?"
    r"|we (?:charge|sell)|cobramos|vendemos"
    # The visitor's own prices when they sell to us: "our retainer starts at $3k/mo", "nuestros paquetes".
    r"|our (?:retainers?|packages?|rates?|fees?|services?|prices?)|(?:retainers?|packages?|rates?) (?:start|begin)"
    r"|nuestr[oa]s? (?:paquetes?|tarifas?|servicios?|precios?|cuotas?)|(?:empiezan?|arrancan?) (?:en|desde)"
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
    # A budget the visitor is responsible for in their job: "I manage a 3M budget overall".
    r"|(?:manage|run|oversee|handle|own|control|responsible for|in charge of|llevo|gestiono|manejo|controlo"
    r"|administro|respons[aá]ble de) (?:a |an |the |un |el |una )?(?:total |overall |global |annual |anual )?"
    r"(?:[^\s]+ )?(?:budget|presupuesto)"
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
    r"|\b(?:we|i)(?: really| honestly| basically)? (?:have|got) (?:none|nothing|zero)\b|\b(?:tenemos|tengo) cero\b"
    r"|\bno aplica\b|\bnot applicable\b"
    r"|\b(?:no es|it'?s not|this is not|this isn'?t|it isn'?t) (?:una |a )?(?:compra|purchase)\b"
    r"|no (?:tenemos|hay|tengo)(?: ninguno)?\W*$|\b(?:nothing|nada|zero|cero) (?:until|till|hasta|before|antes de"
    r"|this year|este a[nñ]o|for now|de momento|por ahora|right now|ahora mismo)"
    r"|bootstrap|self[- ]funded|(?:we'?re|we are) broke|\bskint\b|(?:can'?t|cannot) afford (?:it|anything|much"
    r"|that|a (?:tool|new))"
    # Not buying at all: no money for it ("not buying anything", "no voy a gastar en esto").
    r"|(?:not|never|n'?t (?:be|going to)|not going to|won'?t(?: be)?|will not(?: be)?|wouldn'?t(?: be)?)"
    r" (?:buy|spend|pay|purchas|invest)\w*(?=\W*$|\s+(?:anything|any\w*|nothing|a (?:thing|penny|cent|dime)|at all"
    r"|on (?:this|it|that)|for (?:this|it|that)|now|right now|this year|so|sorry|lol)\b|\s*[,.;!])"
    r"|(?:don'?t|do not|doesn'?t) (?:want|plan|intend) to (?:spend|pay|buy|invest)"
    r"|(?:we'?re|i'?m|we are|i am) not (?:buying|looking to buy)|no (?:busco|buscamos) comprar"
    # selling to us, not buying: "not a buyer", "era para ofreceros mis servicios"
    r"|\bnot (?:a buyer|a customer|looking to buy)\b|\bnot looking to (?:buy|purchase)"
    r"|(?:to|i wanted to|we wanted to|want to) (?:offer|pitch|sell) (?:you )?(?:our|my)\b"
    r"|(?:para|quer[ií]a|quer[ií]amos|quiero|queremos) (?:ofreceros|ofrecerles|venderos|proponeros)"
    r" (?:mis|nuestros|nuestras|un|una)\b"
    r"|\bno soy (?:cliente|comprador)\b"
    r"|(?:no (?:vamos|voy|pienso|pensamos|queremos|quiero) a? ?(?:comprar|gastar|pagar|invertir|contratar)"
    r"|no (?:compraremos|gastaremos|pagaremos|invertiremos|contrataremos)|no (?:estamos|estoy) (?:comprando"
    r"|pensando en comprar))(?=\W*$|\s+(?:nada|en (?:esto|eso)|esto|eso|ahora|este a[nñ]o|por ahora|de momento"
    r"|as[ií] que)\b|\s*[,.;!])"
)
# "no budget yet" is still open: the same words with "yet" are undecided, not none.
_YET = re.compile(r"\byet\b|todav[ií]a|\ba[uú]n\b")
_UNDECIDED = _words(
    r"not sure|unsure|(?:don'?t|do not) know|\bidk\b|no idea|no clue|ni idea|depends|depending on|depende"
    r"|\btbd\b|\btbc\b|to be (?:decided|determined|defined|confirmed)"
    r"|por (?:decidir|definir|ver(?! a\b| al\b| c[oó]mo| qu[eé]| lo\b))"
    r"|\bno (?:lo )?s[eé]\b|no (?:lo )?sabemos|todav[ií]a no|a[uú]n no|not (?:yet )?decided"
    r"|(?:haven'?t|have not) decided|undecided|not yet|no estoy segur|need to check|let me check"
    r"|(?:must|have to|gotta|got to|need to|would have to|'d have to) (?:check|ask|confirm|see)"
    r"|(?:tengo|tendr[ií]a|tenemos|tendr[ií]amos|hay) que (?:consultar|preguntar|mirar|confirmar|verlo)"
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


# Priced per seat: "50 per user per month, 10 users", "20 licencias a 40 euros al mes". The price
# times the number of seats is the budget.
_SEAT_ONE = (
    r"(?:user|seat|licen[cs]e|rep|person|head|agent|usuario|licencia|puesto|comercial|persona|cabeza|agente"
    r"|asiento|vendedor)"
)
_SEATS = (
    r"(?:users|seats|licen[cs]es|reps|people|heads|agents|usuarios|licencias|puestos|comerciales|personas"
    r"|agentes|asientos|vendedores)"
)
_PER_SEAT = re.compile(
    r"^\s*(?:(?:per|a|/|each|every|por|cada|al|x)\s*(?:month|mo|mes|year|yr|a[nñ]o)\s*)?"
    rf"(?:per|a|/|each|every|por|cada)\s*{_SEAT_ONE}\b"
)
# Volunteered, a price for each of something that is not a period or a seat is spent on that
# thing: "we pay 30 grand a stand", "2.000 € por feria". Not "500 por ahora" or "20 por ciento".
_PER_OTHER_THING = re.compile(
    r"\s*(?:a|an|per|each|por|cada)\s+(?!(?:ahora|favor|ciento|cierto|supuesto|lo|el|la|los|las|un|una|mi|eso|esto"
    r"|bit|lot|few|little|while|total|start|mes|month|year|a[nñ]o|week|semana|quarter|trimestre|d[ií]a|day)\b)"
    r"[a-zñáéíóú]{3,}\b"
)
_SEAT_COUNT = re.compile(rf"(?<![\w.,])(?P<n>\d{{1,4}})\s+{_SEATS}\b")
# "20 licencias a 40 euros", "10 seats at $30": the count just before the price.
_SEATS_BEFORE = re.compile(rf"(?<![\w.,])(?P<n>\d{{1,4}})\s+{_SEATS}\s+(?:a|at|@|de|por|x)\s*$")
# An amount ruled out right after it is said: "mil al mes ni de broma", "2k is too much for us".
_REFUSED = re.compile(
    r"[^.;!?]{0,25}?\b(?:ni\s+de\s+(?:broma|coña|cona|lejos)|ni\s+loc[oa]|ni\s+hablar|ni\s+so[nñ]ando|imposible"
    r"|no\s+way|no\s+chance|out\s+of\s+the\s+question|(?:way\s+)?too\s+(?:much|high|expensive|steep)"
    r"|(?:es|ser[ií]a)\s+(?:demasiado|mucho|una\s+locura)|demasiad[oa]|ni\s+pensarlo|not\s+happening)\b"
)

# 1 unit of key = N euros. Used to derive cross rates when the SLA currency is not EUR, so
# "$" still converts to "£" without the caller passing rates.
_EUR_RATES: Mapping[str, float] = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}
_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£"}
_PER_YEAR = {"year": 1, "once": 1, "quarter": 4, "month": 12, "week": 52}
# How the period reads in the reason the visitor sees ("Got it: €2,000 a month = €24,000 a year").
_PERIOD_WORDS = {"year": " a year", "once": " one-off", "quarter": " a quarter", "month": " a month", "week": " a week"}
# "that 4,000 I mentioned was per quarter, not per year": a period said of the amount further on.
_COPULA = re.compile(r"\b(?:was|were|is|'s|are|era|eran|es|son|iba|ser[ií]a|would\s+be)\s+")
_DENIED = re.compile(r"\b(?:not|no|ni)\s+$")
