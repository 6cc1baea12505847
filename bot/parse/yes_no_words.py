"""Yes/no words: how English and Spanish visitors say yes, no and "not sure", as interjections and as statements.

Owns the patterns ``parse_yes_no`` reads, in the order it blanks them (each runs on lower-cased, accent-folded text).
"""

from __future__ import annotations

import re


def _phrases(pattern: str) -> re.Pattern[str]:
    """Whole words only, so "no" never matches inside "nosotros" nor "si" inside "sistema"."""
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])")


# Read first and blanked: each of these holds a "no" or a "yes" that is not one ("no lo sé", "not sure").
UNDECIDED = _phrases(
    r"not\s+(?:really\s+|too\s+|so\s+|100%\s+)?sure|unsure|(?:i\s+)?don'?t\s+(?:really\s+)?know|do\s+not\s+know"
    r"|dunno|idk|no\s+idea|not\s+certain|(?:it\s+)?depends|hard\s+to\s+say|difficult\s+to\s+say|can'?t\s+say"
    r"|kind\s+of|kinda|sort\s+of|sorta|partly|partially|somewhat|sometimes|more\s+or\s+less|in\s+a\s+way"
    r"|not\s+decided|undecided|haven'?t\s+decided|still\s+deciding|yes\s+and\s+no|no\s+lo\s+se|no\s+se"
    r"(?!\s+(?:usa|utiliza|hace|tiene|puede|trabaja|lleva|necesita))|ni\s+idea|no\s+estoy\s+segur[oa]"
    r"|no\s+tengo\s+(?:ni\s+)?(?:idea|claro)|no\s+lo\s+tengo\s+claro|depende|mas\s+o\s+menos|en\s+parte|a\s+veces"
    r"|no\s+sabria(?:\s+decir(?:te)?)?|quien\s+sabe|tengo\s+dudas|ni\s+si\s+ni\s+no|si\s+y\s+no|regular"
    r"|not\s+exactly|no\s+exactamente|no\s+del\s+todo|not\s+fully|not\s+entirely|a\s+medias"
)
# Hedges: alone they are undecided; with a yes or a no they make it less sure ("maybe not", "creo que sí").
HEDGE = _phrases(
    r"maybe|perhaps|possibly|probably|prob|could\s+be|might\s+be|i\s+think|i\s+guess|i\s+believe|i\s+suppose"
    r"|quizas?|tal\s+vez|a\s+lo\s+mejor|igual|puede\s+ser|podria\s+ser|creo(?:\s+que)?|supongo(?:\s+que)?"
    r"|probablemente|posiblemente|seguramente|diria\s+que|i'?d\s+say"
)
# A plan, not the thing yet: "we're planning to get one", "queremos tener uno": no, less sure.
PLANNED = _phrases(
    r"(?:we'?re|we\s+are|i'?m|i\s+am)\s+(?:planning|thinking|looking|about)\b[^.,;!?]*|planning\s+to|plan\s+to"
    r"|going\s+to\s+(?:get|buy|set|start|implement)|about\s+to|looking\s+(?:for|into)\s+(?:one|it)"
    r"|thinking\s+(?:about|of)\s+(?:it|getting|buying|one)|working\s+on\s+it|pensando\s+en|queremos\s+(?:tener|uno|una)"
    r"|vamos\s+a\s+(?:tener|comprar|poner|implantar|empezar)|estamos\s+(?:viendo|mirando|buscando|en\s+ello)"
    r"|en\s+proceso|in\s+progress|soon|pronto|proximamente"
)
# Statements: the visitor says what they have or do. A statement outweighs a bare yes or no.
NO_STATEMENT = _phrases(
    r"(?:claro|por\s+supuesto|desde\s+luego)\s+que\s+no|(?:of\s+course|definitely|absolutely|certainly)\s+not"
    r"|(?:we|i)\s+(?:had|used\s+to\s+have)\s+(?:one|it)|(?:we|i)\s+(?:stopped|dropped|cancell?ed|canceled|ditched)"
    r"|dejamos\s+de|lo\s+dejamos|(?:i\s+)?don'?t\s+think\s+(?:so|we\s+(?:do|have|are)|it)|i\s+doubt\s+it|no\s+creo|not\s+yet|not\s+really"
    r"|not\s+at\s+all|not\s+anymore|not\s+any\s+more|no\s+longer|not\s+(?:for\s+now|at\s+the\s+moment|currently"
    r"|right\s+now|now|today)|we\s+(?:don'?t|do\s+not|haven'?t|have\s+not|aren'?t|are\s+not|didn'?t|did\s+not"
    r"|never|used\s+to)|we'?re\s+not|i\s+(?:don'?t|do\s+not|haven'?t|have\s+not|never|used\s+to)|i'?m\s+not"
    r"|(?:don'?t|do\s+not|doesn'?t|haven'?t)\s+(?:have|use|need|do)|ha(?:ve|s)\s+no|nothing(?:\s+yet)?|none(?:\s+yet)?"
    r"|not\s+one|no\s+(?:way|chance)|hell\s+no|todavia\s+no|aun\s+no|ya\s+no|de\s+momento\s+no|por\s+ahora\s+no"
    r"|por\s+el\s+momento\s+no|hasta\s+ahora\s+no|ahora\s+mismo\s+no|no\s+(?:todavia|aun|de\s+momento|por\s+ahora)"
    r"|que\s+va|para\s+nada|en\s+absoluto|tampoco|ningun[oa]?|nada(?:\s+de\s+nada)?|never|nunca|jamas|ni\s+de\s+broma"
    r"|soliamos|usabamos|teniamos|tenemos\s+(?:cero|ningun[oa]?)|no\s+(?:lo\s+|la\s+|los\s+|las\s+|nos\s+)?"
    r"[a-z]+(?:amos|emos|imos)|no\s+(?:hay|tengo|uso|usa|tiene|hace|hago)|sin\s+(?:nada|crm|uno|una)"
)
# "we do", "we do use one", "sí que tenemos", "lo tenemos": the question's own yes. It outweighs a
# bare "no" before it ("no, we do use one" is yes).
YES_STATEMENT = _phrases(
    r"(?:yes\s+)?(?:we|i)\s+(?:sure\s+|certainly\s+|definitely\s+|actually\s+|really\s+)?(?:do|did)(?:\s+(?:use|have)"
    r"(?:\s+(?:one|it|a\s+[a-z]+))?)?|(?:we|i)\s+(?:already\s+|currently\s+)?(?:have|use|got|run)\s+(?:one|it)\b"
    r"|we'?ve\s+got\s+(?:one|it)|we\s+already|already|that'?s\s+(?:right|correct|true)|that\s+is\s+(?:right|correct"
    r"|true)|it\s+does|(?:lo|la|los|las)\s+(?:tenemos|usamos|utilizamos|hacemos)|(?:tenemos|usamos|utilizamos)\s+un[oa]?"
    r"|si\s+que\s+[a-z]+mos|ya\s+[a-z]+mos|asi\s+es|eso\s+es|claro\s+que\s+si|por\s+supuesto\s+que\s+si|desde\s+luego"
    r"|sin\s+duda|hay\s+un[oa]?|of\s+course\s+we\s+do|you\s+bet|yes\s+we\s+(?:do|have|are)|why\s+not|por\s+qu[eé]\s+no"
)
# "we use HubSpot", "usamos Excel": a yes on its own, but after a bare "no" it names what they use
# instead ("no, usamos Excel" is no).
YES_CONTENT = _phrases(
    r"(?:we|i)\s+(?:already\s+|currently\s+|actually\s+)?(?:have|use|run|got)|we'?ve\s+got|we'?re\s+(?:using|on)"
    r"|we\s+are\s+(?:using|on)|tenemos|usamos|utilizamos|contamos\s+con|trabajamos\s+con"
)
# Interjections: a bare yes or no, the usual whole answer to a yes/no question.
YES_WORD = _phrases(
    r"y+e+s+|yess+|yeah+|yea|yep+|yup+|ya|yah|ye|sure|surely|of\s+course|ofc|absolutely|definitely|certainly"
    r"|indeed|correct|right(?!\s+now)|exactly|affirmative|totally|for\s+sure|uh\s*huh|mhm+|ok|okay|si+|sip|sep|claro"
    r"|por\s+supuesto|efectivamente|exacto|correcto|afirmativo|obvio|obviamente|vale|dale|cierto|seguro|totalmente"
    r"|sisi|si\s+si|evidentemente"
)
NO_WORD = _phrases(r"no+|not(?=\s*(?:[.,;!?]|$))|nope|nop|noup|nah+|nay|naw|negative|nein|nel|nanay")
EMOJI_YES = re.compile(r"👍|✅|✔|☑")
EMOJI_NO = re.compile(r"👎|❌|✖|🚫")
# A concession after the answer ("sí, aunque no lo usamos mucho", "yes but we barely use it")
# qualifies it; it does not reverse it.
CONCESSION = _phrases(r"but|though|although|however|aunque|pero|sin\s+embargo|eso\s+si")
# Whole answers too short for the patterns above to be sure of: "y", "s", "n".
ALONE_YES = frozenset({"y", "s", "k", "yes.", "si.", "sí"})
ALONE_NO = frozenset({"n"})
