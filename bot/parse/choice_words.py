"""Choice words: what tells a named option the visitor has from one they rule out, left or only consider.

Owns the word sets ``parse_choice`` reads on the words just before a synonym (accent-folded, lower-cased).
"""

from __future__ import annotations

# A word that rules out the option after it within three words: "we don't use Salesforce",
# "no usamos ningún CRM", "not a fintech", "sin CRM", "ni HubSpot ni Salesforce".
NEGATORS = frozenset(
    {
        "no", "not", "never", "nunca", "dont", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't",
        "haven't", "hasn't", "won't", "nor", "ni", "sin", "without", "ningun", "ninguna", "ninguno", "tampoco",
        "nope", "nah", "except", "excepto", "salvo", "neither",
    }
)  # fmt: skip
# Two-word negators: "instead of X", "en vez de X", "rather than X", "no longer".
NEGATOR_PAIRS = frozenset({("instead", "of"), ("vez", "de"), ("lugar", "de"), ("rather", "than"), ("apart", "from")})
# "no, we use HubSpot": a subject between a negator and the option means the negator answered
# something else; the option is affirmed, not denied.
SUBJECTS = frozenset(
    {"we", "i", "we're", "i'm", "im", "nosotros", "yo", "it's", "its", "our", "my", "nuestro", "nuestra", "mi",
     "we've", "i've"}
)  # fmt: skip
# The option is the one they have now: "we use", "mainly", "sobre todo", "switched to".
AFFIRM = frozenset(
    {
        "use", "using", "uses", "usamos", "utilizamos", "usando", "run", "running", "have", "tenemos", "work",
        "trabajamos", "con", "on", "mainly", "mostly", "primarily", "principalmente", "mayormente", "sobre",
        "basically", "basicamente", "actually", "realmente", "currently", "actualmente", "now", "ahora", "today", "hoy",
        "sino", "main", "principal", "we're", "somos", "are", "am", "soy", "i'm", "im", "is", "es",
        "based", "located", "estamos", "sell", "vendemos", "switched", "moved", "migrated", "cambiamos", "pasamos",
        "migramos", "nowadays", "days", "it's", "its",
    }
)  # fmt: skip
# Past: "we used to use X", "we switched from X", "antes usábamos X", "dejamos X".
PAST = frozenset(
    {
        "used", "previously", "formerly", "before", "old", "former", "antes", "anteriormente", "usabamos", "teniamos",
        "dejamos", "abandonamos", "left", "dropped", "ditched", "quit", "tried", "probamos", "probado", "was", "had",
        "estabamos", "usaba", "tenia", "until",
    }
)  # fmt: skip
# Two-word markers of an option that is not theirs now: "used to X", "switched from X", "sell to X".
PAST_PAIRS = frozenset(
    {
        ("used", "to"), ("switched", "from"), ("moved", "from"), ("migrated", "from"), ("came", "from"),
        ("switching", "from"), ("moving", "from"), ("migrating", "from"), ("cambiamos", "de"), ("pasamos", "de"),
        ("venimos", "de"), ("migramos", "de"), ("migrado", "de"), ("cambiado", "de"), ("moved", "off"),
        ("switched", "off"), ("got", "rid"), ("moving", "off"), ("nos", "fuimos"), ("we", "were"), ("i", "was"),
        # Somebody else's, not theirs: "we sell to the UK", "exportamos a México".
        ("sell", "to"), ("selling", "to"), ("sells", "to"), ("export", "to"), ("exporting", "to"),
        ("vendemos", "a"), ("vendemos", "en"), ("exportamos", "a"), ("clients", "in"), ("customers", "in"),
    }
)  # fmt: skip
# Tentative: what they consider, want or look at, not what they have.
TENTATIVE = frozenset(
    {
        "considering", "evaluating", "looking", "thinking", "planning", "plan", "want", "wanted", "need", "needs",
        "would", "like", "interested", "maybe", "perhaps", "might", "could", "quizas", "quiza", "tal", "pensando",
        "evaluando", "valorando", "mirando", "queremos", "quiero", "necesitamos", "buscamos", "buscando", "interesa",
        "probar", "try", "trying", "compare", "comparing", "vs", "versus", "switch", "switching", "moving",
        "migrate", "migrating", "integrate", "integrates", "integration", "integracion", "integrar", "compatible",
        "connect", "conectar", "support", "supports", "soporta", "demo", "alternative", "alternativa", "replace",
        "replacing", "sustituir", "reemplazar", "cambiar", "vamos", "going", "will", "hoping", "we'd", "i'd",
        "gustaria", "encantaria", "pensamos", "planeamos", "ojala", "hope", "wish",
    }
)  # fmt: skip
# Words that end one clause and begin the next: a negation or a verb before them is spent.
CLAUSE_WORDS = frozenset({"but", "pero", "sino", "though", "although", "aunque", "however", "while", "mientras"})
# In a volunteered message an option counts only in a clause about the visitor's own company.
SELF = frozenset(
    {
        "i", "i'm", "im", "we", "we're", "were", "our", "ours", "us", "my", "me", "nosotros", "nuestro", "nuestra",
        "nuestros", "nuestras", "somos", "soy", "estamos", "tenemos", "usamos", "utilizamos", "trabajamos", "yo", "mi",
        "mis", "nos", "vendemos", "we've", "i've", "here", "aqui",
    }
)  # fmt: skip
# Somebody else's options: "our clients use Salesforce", "a competitor of HubSpot".
OTHERS = frozenset(
    {
        "client", "clients", "customer", "customers", "cliente", "clientes", "competitor", "competitors",
        "competencia", "partner", "partners", "prospects", "they", "ellos", "their", "sus", "friend", "amigo",
    }
)  # fmt: skip
