"""Quantity words: approximations, bounds, ranges and the numbers that count something else, in English and Spanish.

Owns the phrase tables ``parse_number`` reads; every pattern runs on lower-cased, accent-folded text with digits.
"""

from __future__ import annotations

import re

# A numeral: thousands-grouped ("1.200", "1,200"), plain or decimal ("50", "1.5", "2,5"), with a
# multiplier ("2k", "1.5k", "3 mil", "2 thousand"). Not inside a word or a code ("b2b", "v2", "24/7").
_NUMERAL = r"\d{1,3}(?:[.,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_MULTIPLIER = r"k|mil|thousand|m|mm|million|millions|millon|millones"
NUMBER = re.compile(
    rf"(?<![\w.,/:+#])(?<![a-z]-)(?<![\w][.,])(?P<num>{_NUMERAL})(?:\s?(?P<mult>{_MULTIPLIER})(?![\w]))?"
    r"(?P<plus>\s?\+)?(?P<ish>\s?-?ish\b)?(?![\w/:]|[.,]\d)"
)
MULTIPLIER_VALUE = {
    "k": 1e3, "mil": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "millions": 1e6,
    "millon": 1e6, "millones": 1e6,
}  # fmt: skip
# Between the two ends of a range: "50-100", "50 to 100", "10 a 20", "2 or 3", "entre 50 y 100".
RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|a|hasta|or|o|u|and|y)\s*")
RANGE_OPENER = re.compile(r"(?:between|entre|from|de|desde)\s+$")
# "and"/"y" join a range only after "between"/"entre": "3 offices and 120 employees" is two numbers.
RANGE_NEEDS_OPENER = frozenset({"and", "y"})
# "we grew from 20 to 35": a change, not a range; the second figure is the answer.
CHANGE = re.compile(
    r"\b(?:grew|grown|growing|gone|went|going|increased|jumped|doubled|tripled|scaled|expanded|shrank|shrunk"
    r"|dropped|decreased|fell|cut|reduced|moved|crecimos|crecido|creciendo|pasamos|pasado|pasando|subimos|subido"
    r"|bajamos|bajado|aumentamos|aumentado|reducido|reducimos|duplicado|duplicamos)\b"
)

# Words that make a number something other than a count: money, shares, time, order.
MONEY_BEFORE = re.compile(r"(?:[€$£]|\b(?:usd|eur|gbp|us\$))\s*$")
MONEY_AFTER = re.compile(r"\s*(?:[€$£]|(?:usd|eur|gbp|euros?|dollars?|dolares|bucks|pounds|libras|pavos|grand|quid)\b)")
PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per\s*cent\b|por\s*ciento\b|pct\b)")
TIME_AFTER = re.compile(
    r"\s*(?:years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|anos?|meses|mes"
    r"|semanas?|dias?|horas?|minutos?|segundos?|h|am|pm)\b|\s*[ºª°]"
)
# A number after these is an order, a name or a code: "top 10", "version 2", "#3", "planta 4".
LABEL_BEFORE = re.compile(
    r"\b(?:top|no\.|n[ºo°]|number|numero|version|v|level|nivel|tier|step|paso|page|pagina|floor|planta|room"
    r"|ticket|id|ref|phase|fase|round|ronda|series|serie|day|dia|week|semana|q|h)\s*$"
)
# A year: only after a word for time, or when another number in the message is the answer.
YEAR_BEFORE = re.compile(
    r"\b(?:in|since|by|until|till|from|of|en|desde|de|del|hasta|year|ano|early|late|mid|end|start|finales"
    r"|principios|mediados|inicios|back|around|circa)\s*$"
)
DATE = re.compile(
    r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b|\b\d{1,2}:\d{2}\b|\+\d[\d\s().-]{6,}\d|\b\d{3}[ -]\d{3}[ -]\d{3}\b"
)

# "about 50", "unos 30", "50ish", "50 or so": the visitor gives an estimate.
APPROXIMATE_BEFORE = re.compile(
    r"(?:\b(?:about|around|roughly|approx(?:imately)?|circa|ca\.?|some|almost|nearly|close\s+to|like|give\s+or\s+take"
    r"|more\s+or\s+less|unos|unas|alrededor\s+de|cerca\s+de|aproximadamente|aprox|mas\s+o\s+menos|sobre|en\s+torno\s+a"
    r"|rondando|rondamos|casi|maybe|probably|quizas?|igual|tipo|como)|~|±|\+-)\s*$"
)
APPROXIMATE_AFTER = re.compile(
    r"\s*(?:or\s+so\b|ish\b|give\s+or\s+take\b|more\s+or\s+less\b|mas\s+o\s+menos\b|aprox|o\s+as[ií]\b|y\s+pico\b"
    r"|y\s+algo\b|something\b|odd\b|and\s+change\b|o\s+por\s+ahi\b|por\s+ahi\b)"
)
HEDGE = re.compile(
    r"\b(?:maybe|perhaps|probably|i\s+think|i\s+guess|i\s+believe|not\s+sure|idk|no\s+se|creo|supongo|quizas?"
    r"|tal\s+vez|igual|calculo|diria|yo\s+diria|i'?d\s+say|guess|guessing|estimate|estimo|a\s+ojo)\b|\?"
)
# Open bounds: the side is what the scorer needs ("more than 200" is in the 50+ band).
ABOVE_BEFORE = re.compile(
    r"(?:\b(?:more\s+than|over|above|upwards\s+of|north\s+of|in\s+excess\s+of|beyond|mas\s+de|mas\s+que"
    r"|por\s+encima\s+de|superamos\s+los?|pasamos\s+de|rebasamos)|>)\s*(?:the\s+|los\s+|las\s+)?$"
)
AT_LEAST_BEFORE = re.compile(
    r"\b(?:at\s+least|minimum(?:\s+of)?|min\.?|no\s+less\s+than|no\s+fewer\s+than|al\s+menos|por\s+lo\s+menos"
    r"|como\s+minimo|minimo|un\s+minimo\s+de)\s*$"
)
ABOVE_AFTER = re.compile(
    r"\s*(?:\+|or\s+more\b|o\s+mas\b|plus\b|and\s+up\b|and\s+counting\b|y\s+subiendo\b|y\s+pico\b)"
)
BELOW_BEFORE = re.compile(
    r"(?:\b(?:less\s+than|fewer\s+than|under|below|not\s+even|beneath|menos\s+de|por\s+debajo\s+de|no\s+llega\s+a"
    r"|no\s+llegamos\s+a|ni\s+siquiera|not\s+quite)|<)\s*(?:the\s+|los\s+|las\s+)?$"
)
AT_MOST_BEFORE = re.compile(
    r"\b(?:up\s+to|at\s+most|max(?:imum)?(?:\s+of)?|no\s+more\s+than|hasta|como\s+mucho|como\s+maximo|maximo"
    r"|a\s+lo\s+sumo)\s*$"
)
BELOW_AFTER = re.compile(r"\s*(?:or\s+(?:less|fewer)\b|o\s+menos\b|max\b|tops\b|como\s+mucho\b|como\s+maximo\b)")

# Words about the past or the future around a number: "we were 20 last year", "hiring 10 more".
PAST = re.compile(
    r"\b(?:used\s+to|we\s+were|they\s+were|was|last\s+year|last\s+month|previously|before|back\s+then|back\s+in|ago|originally"
    r"|started\s+(?:with|as|at)|up\s+from|down\s+from|eramos|era|fuimos|antes|el\s+ano\s+pasado|hace|empezamos"
    r"|al\s+principio|al\s+empezar|en\s+su\s+dia)\b"
)
FUTURE = re.compile(
    r"\b(?:hiring|hire|recruit(?:ing)?|plan(?:ning)?\s+to|want\s+to|aim(?:ing)?\s+(?:to|for)|goal|target|will\s+be"
    r"|going\s+to|expect(?:ing)?|by\s+next|next\s+year|more\s+by|contratar|contratando|queremos|vamos\s+a"
    r"|esperamos|objetivo|meta|el\s+ano\s+que\s+viene|el\s+proximo\s+ano|llegar\s+a|seremos|would\s+like)\b"
)
# The past said after the number: "we lost 20 people last year", "contratamos 5 el mes pasado".
PAST_AFTER = re.compile(
    r"\b(?:last\s+(?:year|month|week|quarter)|(?:el|la)\s+(?:ano|mes|semana|trimestre)\s+pasad[oa]|ago|hace|before"
    r"|back\s+then|en\s+su\s+dia)\b"
)
NOW = re.compile(r"\b(?:now|currently|today|right\s+now|at\s+the\s+moment|ahora|actualmente|hoy|de\s+momento)\b")
# Somebody else's numbers: "we sell to companies with 50-200 employees", "nuestros clientes tienen 500".
OTHERS = re.compile(
    r"\b(?:clients?|customers?|clientes?|companies|empresas|compan[ií]as|prospects?|leads|competitors?|competencia"
    r"|sell\s+to|vendemos\s+a|target(?:ing)?|partners?|socios|users|usuarios|buyers|compradores)\b"
)
# A share of a number said before: "40 people, 10 of them in sales".
OF_THEM = re.compile(
    r"\s*(?:of\s+them|of\s+whom|of\s+which|de\s+ellos|de\s+ellas|de\s+los\s+cuales|de\s+las\s+cuales)\b"
)
# Part of the company, not all of it: "my team is 8 people", "3 in sales", "our 12-person sales team".
PART = re.compile(
    r"\b(?:my|our|the|mi|nuestro|el)\s+(?:[a-z]+\s+)?(?:team|equipo|department|departamento|dept|area|office|oficina)\b"
    r"|\b(?:sales|marketing|ventas|comercial|engineering|dev|support|soporte|ops|it|hr|rrhh|cs)\s+(?:team|dept)\b"
    r"|\b(?:in|on|en)\s+(?:sales|marketing|ventas|el\s+equipo|the\s+team|my\s+team|mi\s+equipo|mine|my\s+department)\b"
    r"|\bequipo\s+(?:de\s+)?(?:ventas|marketing|comercial|soporte)\b|\b(?:of\s+which|de\s+los\s+que)\b"
    r"|\b(?:run|manage|lead|head|dirijo|llevo|gestiono|coordino)\s+(?:a\s+|an\s+|un\s+)?(?:[a-z]+\s+)?(?:team|equipo)\b"
)
# Seats, not headcount: "3 people will use it", "licenses for 25 people", "para 10 personas".
SEATS_BEFORE = re.compile(r"\b(?:for|para)\s+(?:about\s+|around\s+|unos\s+|unas\s+|some\s+)?$")
SEATS = re.compile(
    r"\b(?:will|would|going\s+to|to|gonna)\s+use\b|\buse\s+it\b|\blicen[cs]e?s?\b|\blicencias?\b|\bseats?\b"
    r"|\busers?\b|\busuarios?\b|\bplazas\b|\baccounts?\b|\bcuentas\b|\bpuestos\b|\blo\s+usar[aá]n?\b"
    r"|\blo\s+van\s+a\s+usar\b|\bprice\b|\bpricing\b|\bprecio\b|\bcost\b|\bcuesta\b|\bquote\b|\bplan\b"
)
# The whole company: "a 300 people company", "80 in total", "en toda la empresa".
WHOLE = re.compile(
    r"\s*(?:[a-z]+\s+)?(?:company|companies|empresa|organi[sz]ation|org|overall|in\s+total|en\s+total|total"
    r"|in\s+the\s+(?:whole\s+)?company|en\s+(?:toda\s+)?la\s+empresa|across\s+the\s+company)\b"
)
# The visitor counts themself: "we're 40", "somos 40", "40 of us", "we have 40".
SELF = re.compile(
    r"\b(?:we\s+are|we're|were|we\s+have|we've\s+got|we\s+got|there\s+are|there's|somos|tenemos|hay|team\s+of"
    r"|equipo\s+de|total\s+of|un\s+total\s+de|headcount)\s*(?:is\s+|of\s+|de\s+)?$"
)
# A volunteered count must be stated as the company's size: "we're 40 people", "a company of 50
# people", "tenemos 30 empleados", "a 40-person company", "headcount is 45", or on its own
# ("40 employees, based in Madrid"), never as the object of another verb ("we talk to 200 people").
STATED_BEFORE = re.compile(
    r"\b(?:we\s+are|we're|were|we\s+have|we've\s+got|we\s+got|we\s+now\s+have|there\s+are|there's|i\s+have"
    r"|(?:we|i)\s+(?:employ|get|receive|generate|handle|process|close|sign|manage|run)|employs?|employing|somos"
    r"|tenemos|hay|contamos\s+con|empleamos|recibimos|generamos|gestionamos|cerramos|team\s+of|equipo\s+de"
    r"|total\s+of|un\s+total\s+de|(?:company|business|firm|startup|agency|shop|org|organi[sz]ation|empresa|agencia"
    r"|negocio|compa[nñ]ia|startup)\s+(?:with|of|con|de)|size\s+(?:is|of)|we're\s+now|somos\s+ya|ya\s+somos)"
    r"\s+(?:now\s+|already\s+|ya\s+|ahora\s+|currently\s+|actualmente\s+)?(?:a\s+|an\s+|un\s+|una\s+)?$"
)
# What may follow a count stated on its own: nothing, or where and how ("40 employees in Madrid").
STATED_AFTER = frozenset(
    {"in", "at", "en", "across", "based", "located", "worldwide", "globally", "total", "overall", "here", "aqui",
     "work", "working", "trabajan", "trabajamos", "currently", "now", "ahora", "roughly", "approx", "more", "or",
     "o", "mas", "y", "and", "plus", "full", "part", "company", "empresa", "today", "hoy", "actualmente", "ish",
     "give", "so", "aprox", "aproximadamente", "de", "of", "entre", "between"}
)  # fmt: skip
OF_US = re.compile(r"\s*(?:of\s+us|de\s+nosotros|in\s+total|en\s+total|total|all\s+together|en\s+la\s+empresa)\b")
CLAUSE_BREAK = re.compile(r"[,;.!?()\n]\s|[;!?()\n]|\s(?:and|but|y|pero|aunque|though|while|mientras)\s|\.$")

# Words between a number and the unit word after it ("40 full-time employees", "30 empleados fijos").
BRIDGE_AFTER = frozenset(
    {"full", "time", "fulltime", "part", "permanent", "fixed", "real", "actual", "total", "fijos", "en", "in", "de",
     "of", "our", "nuestros", "nuestras", "ish", "more", "mas", "menos", "less", "plus", "aprox", "approx",
     "roughly", "the", "los", "las", "tops", "trabajando", "working", "work", "here", "aqui", "alli", "there",
     "max", "directos", "directs", "internal", "internos", "fte", "ftes", "inhouse", "house", "propios", "own",
     "around", "about", "maybe", "unos", "unas", "aproximadamente", "employed", "contratados", "now", "ahora",
     "currently", "right", "at", "moment", "hoy", "asi", "like", "que", "some", "odd"}
)  # fmt: skip
# After a number, words that are not a thing it counts: "20 of us across 2 offices", "15 in Madrid".
NOT_NOUNS = frozenset(
    {"across", "in", "at", "from", "with", "for", "between", "among", "worldwide", "globally", "overall",
     "en", "con", "desde", "para", "entre", "por", "repartidos", "spread", "split", "distributed", "based",
     "and", "y", "or", "o", "but", "pero", "if", "si", "when", "cuando", "which", "que", "who", "quienes", "is",
     "are", "es", "son", "so", "asi", "roughly", "approximately", "give", "take", "counting", "odd", "pico", "algo",
     "growing", "creciendo", "total", "tops", "max", "yet", "todavia", "aun", "ya", "already", "too", "tambien",
     "also", "maybe", "quizas", "lol", "haha", "jaja", "tbh", "btw", "thanks", "gracias"}
)  # fmt: skip
# Words between a unit word and the number after it ("headcount is about 40", "plantilla de unas 30").
BRIDGE_BEFORE = frozenset(
    {"of", "is", "are", "de", "es", "son", "about", "around", "roughly", "approximately", "approx", "unos", "unas",
     "alrededor", "cerca", "sobre", "aprox", "aproximadamente", "total", "currently", "now", "ahora", "actualmente",
     "at", "right", "en", "el", "la", "los", "las", "the", "our", "nuestro", "nuestra", "somewhere", "like", "just",
     "only", "solo", "sólo", "maybe", "probably", "count", "number", "numero", "size", "tamano", "team", "equipo",
     "more", "than", "mas", "less", "menos", "over", "under", "least", "most", "up", "to", "hasta", "casi",
     "almost", "nearly", "some", "a", "be", "would", "say", "diria", "ser", "seran", "seremos", "estamos", "we",
     "re", "tipo", "como", "mucho", "maximo", "minimo", "por", "encima", "debajo", "above", "below"}
)  # fmt: skip

# Word quantities, written as digits before the numbers are read (padded, so spans keep their place).
QUANTITY_WORDS = [
    (re.compile(r"\b(?:a|one|un)\s+100\b"), "100"),  # "a hundred", written "a 100" by alpha2digit
    (re.compile(r"\b(?:half\s+a\s+dozen|media\s+docena)\b"), "6"),
    (re.compile(r"\b(?:a\s+|one\s+|una\s+)?(?:dozen|docena)\b(?!s)"), "12"),
    (re.compile(r"\b(?:a\s+)?couple\s+(?:of\s+)?dozen\b"), "24"),
    (re.compile(r"\b(?:a\s+couple|couple)(?:\s+of)?\b(?!\s+(?:hundred|thousand|dozen))"), "2"),
    (re.compile(r"\bun\s+par(?:\s+de)?\b(?!\s+(?:cientos|miles|docenas))"), "2"),
    (
        re.compile(r"\b(?:a\s+few|a\s+handful(?:\s+of)?|unos\s+pocos|unas\s+pocas|unos\s+cuantos|unas\s+cuantas)\b"),
        "~3",
    ),
]
DOZENS = re.compile(r"\b(?P<n>\d+)\s+(?:dozen|docenas)\b")
# "dozens of", "cientos de", "thousands": at least that many, said loosely.
PLURAL_QUANTITY = re.compile(
    r"\b(?:(?P<tens>dozens|docenas|decenas|tens)|(?P<hundreds>hundreds|cientos|centenares)"
    r"|(?P<thousands>thousands|miles))\b"
)
PLURAL_VALUE = {"tens": 24.0, "hundreds": 200.0, "thousands": 2000.0}

# The visitor works alone: "just me", "solo yo", "I'm a freelancer", "soy autónomo".
SOLO = re.compile(
    r"\b(?:just\s+me|only\s+me|me\s+alone|only\s+myself|just\s+myself|myself|solo\s+yo|yo\s+solo|yo\s+sola"
    r"|solamente\s+yo|unicamente\s+yo|i\s+work\s+alone|i\s+work\s+on\s+my\s+own|on\s+my\s+own|by\s+myself"
    r"|one[\s-](?:man|woman|person)\s+(?:band|show|business|company|shop|team)|solo\s?(?:founder|preneur|entrepreneur)"
    r"|freelancer?|self[\s-]employed|independent\s+consultant|sole\s+(?:trader|proprietor)|autonom[oa]"
    r"|trabajo\s+solo|trabajo\s+sola|por\s+mi\s+cuenta|por\s+cuenta\s+propia|yo\s+mism[oa]|unipersonal)\b"
)
# "me and 2 others", "yo y 3 más", "my partner and I" : the visitor plus the others said.
ME_PLUS = re.compile(
    r"\b(?:(?:just\s+|only\s+)?me\s+(?:and|plus|\+)|(?:solo\s+)?yo\s+(?:y|mas|\+))\s+(?P<n>\d+)"
    r"(?:\s+(?:others?|more|people|colleagues|partners?|guys|mas|personas|companeros|socios|empleados|employees))?"
)
PAIR = re.compile(
    r"\b(?:my\s+(?:partner|co-?founder|business\s+partner)\s+and\s+(?:i|me)|(?:just\s+|only\s+)?me\s+and\s+my"
    r"\s+(?:partner|co-?founder|business\s+partner)|mi\s+soci[oa]\s+y\s+yo|yo\s+y\s+mi\s+soci[oa])\b"
)
ONE = re.compile(r"\b(?:one|uno|una|un|a|an|single|solo|un\s+solo|una\s+sola|a\s+single)\s+$")
ZERO = re.compile(
    r"\b(?:no|zero|cero|ningun|ninguna|ninguno|not\s+a\s+single|not\s+any|ni\s+un|ni\s+una|0)\s+(?:\w+\s+)?$"
)
ZERO_ALONE = re.compile(r"\s*(?:none|zero|cero|ninguno|ninguna|nadie|nobody|no\s+one|0|nada)\s*[.!]*\s*")
ONE_ALONE = re.compile(r"\s*(?:one|uno|una|1)\s*[.!]*\s*")

UNDECIDED = re.compile(
    r"\b(?:don'?t\s+know|do\s+not\s+know|not\s+sure|unsure|no\s+idea|idk|dunno|hard\s+to\s+say|difficult\s+to\s+say"
    r"|it\s+depends|depends|varies|no\s+lo\s+se|no\s+se|ni\s+idea|no\s+estoy\s+segur[oa]|no\s+tengo\s+(?:ni\s+)?idea"
    r"|depende|varia|dificil\s+de\s+decir|no\s+sabria|quien\s+sabe|no\s+tengo\s+claro|not\s+certain)\b"
)
DECLINED = re.compile(
    r"\b(?:prefer\s+not|rather\s+not|won'?t\s+say|not\s+telling|can'?t\s+say|cannot\s+say|confidential|private"
    r"|none\s+of\s+your|no\s+comment|pass|skip|prefiero\s+no|no\s+quiero|confidencial|privado|no\s+puedo\s+decir"
    r"|paso|no\s+te\s+lo\s+(?:puedo|voy\s+a)\s+decir|mejor\s+no)\b"
)
