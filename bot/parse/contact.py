"""Contact details from free text: name, email, company and consent to be contacted.

Visitors answer "my name is Ana", "ana@acme.com please" or "sí, claro"; we keep what they meant.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# Candidate spans only; `email_validator` decides what is a valid address.
_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\]{},;:\"']+@[^\s<>()\[\]{},;:\"']+")

_NAME_PREFIX = re.compile(
    r"^\s*(?:(?:hi|hello|hola)[,!.\s]+)?(?:my name is|my name's|name is|i am|i'm|im|it's|it is|this is|"
    r"call me|me llamo|mi nombre es|soy|yo soy)\s+",
    re.IGNORECASE,
)
_COMPANY_PREFIX = re.compile(
    r"^\s*(?:i work (?:at|for|with)|i'm (?:at|with|from)|i am (?:at|with|from)|we are|we're|"
    r"the company is|company is|it's|it is|at|for|trabajo (?:en|para)|estoy en|somos|la empresa es|es|en|para)\s+",
    re.IGNORECASE,
)

_YES = {"yes", "y", "yeah", "yep", "sure", "ok", "okay", "of course", "please", "yes please", "si", "sí",
        "claro", "vale", "por supuesto", "de acuerdo", "adelante", "perfecto"}  # fmt: skip
_NO = {"no", "n", "nope", "nah", "no thanks", "rather not", "don't", "do not", "no gracias",
       "prefiero que no", "mejor no", "para nada"}  # fmt: skip

MAX_FIELD = 120  # longer "names" are almost always a pasted paragraph


def parse_email(text: str) -> str | None:
    """The first syntactically valid email address in `text`, normalised, or None."""
    for candidate in _EMAIL_CANDIDATE.findall(text[:2000]):
        candidate = candidate.strip(".")
        try:
            return validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


# International numbers ("+34 612 345 678") and grouped local ones ("612-345-678", "(555) 123 4567");
# a bare run of digits is left alone, since budgets ("2000000") look the same.
_PHONE = re.compile(r"\+\d[\d\s().-]{6,}\d|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{3,4}\b")
EMAIL_REDACTED = "[email removed]"
PHONE_REDACTED = "[phone removed]"


def redact_contact(text: str) -> str:
    """`text` with every email address (valid or not) and phone number replaced by a marker."""
    if "@" in text:
        text = _EMAIL_CANDIDATE.sub(EMAIL_REDACTED, text)
    return _PHONE.sub(PHONE_REDACTED, text)


def parse_name(text: str) -> str | None:
    """The visitor's name as they wrote it, without "my name is"; None if it can't be a name."""
    name = _NAME_PREFIX.sub("", _clean(text)).strip(" .!,")
    if not name or len(name) > MAX_FIELD or "@" in name or not any(ch.isalpha() for ch in name):
        return None
    return name


def parse_company(text: str) -> str | None:
    company = _COMPANY_PREFIX.sub("", _clean(text)).strip(" .!,")
    if not company or len(company) > MAX_FIELD or not any(ch.isalnum() for ch in company):
        return None
    return company


def parse_consent(text: str, intent: str | None = None) -> bool | None:
    """True/False for a yes/no answer to "may we contact you?", None when it is neither."""
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    phrase = " ".join(words)
    if phrase in _NO or (words and words[0] in {"no", "nope", "nah"}):
        return False
    if phrase in _YES or (words and words[0] in {"yes", "yeah", "yep", "sure", "sí", "si", "claro", "vale"}):
        return True
    return None


def _clean(text: str) -> str:
    return " ".join(text.split())[: MAX_FIELD * 4]
