"""How well the running assistant understands visitors: both held-out sets, driven over REST.

Run on demand (it starts its own Rasa + action server on free ports, with models/leadbot.tar.gz):

    python benchmarks/bench_understanding.py            # -> benchmarks/results/understanding.md

1. eval/corpus/answers.yml: single answers, incidental mentions, corrections and visitor
   questions, each sent when the bot asks the question it answers (earlier questions get
   plain scaffolding answers that are not measured).
2. eval/conversations/*.yml: whole simulated visitors, written blind (from the SLA and the
   question texts only), with openers, digressions, corrections and volunteered facts. The
   visitor answers whatever the bot asks, restates when asked again, and picks the button
   that matches its truth when the bot asks to clarify.

Both sets are evaluation data only: nothing in them is used for training (a unit test checks).
What is measured is what the lead store holds afterwards (`LeadStore.export`), compared with
the labels through `bot.evaluation`, plus what the visitor was told.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from bot.conversation.language import detect_language  # noqa: E402
from bot.delivery.payload import export_object  # noqa: E402
from bot.evaluation import (  # noqa: E402
    FIELDS,
    Item,
    Tally,
    bucket,
    load_conversations,
    load_corpus,
    matches,
    split_of,
)
from bot.ops.local import Stack  # noqa: E402
from bot.parse.money import parse_budget  # noqa: E402
from bot.sla import load_sla  # noqa: E402
from bot.storage import LeadStore  # noqa: E402

# Plain answers for the questions before the one an item answers: scaffolding, not measured.
_SCAFFOLD = {
    "en": {"need": "our reps waste hours on bad leads", "budget": "20k a year", "role": "I'm the CEO"},
    "es": {"need": "los comerciales pierden horas con leads malos", "budget": "20.000 € al año", "role": "soy el CEO"},
}
_CONTACT_SLOTS = ("name", "email", "company", "contact_consent")
_POINTS = {
    "need": {"pain": 30, "interest": 15, "none": 0},
    "role": {"decision_maker": 25, "influencer": 15, "individual": 8, "no_authority": 0},
    "timing": {"le3": 20, "3to6": 12, "6to12": 5, "gt12": 0},
}
_KNOCK_OUTS = {("need", "none"), ("role", "no_authority")}


class Client:
    def __init__(self, url: str, auth: dict[str, str]) -> None:
        self.url = url
        self.auth = auth  # the Rasa HTTP API's ?token=
        self.http = requests.Session()

    def say(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.http.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    def slots(self, sender: str) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/conversations/{sender}/tracker", params=self.auth, timeout=30)
        response.raise_for_status()
        tracker = response.json()
        slots = dict(tracker.get("slots") or {})
        slots["__active_loop"] = (tracker.get("active_loop") or {}).get("name")
        return slots


@dataclass
class Transcript:
    """One simulated visitor's conversation as the visitor saw it."""

    sender: str
    lang: str
    turns: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)  # (visitor, bot replies)
    asked: Counter[str] = field(default_factory=Counter)  # how often each question was put to the visitor
    clarified: int = 0
    wrong_language: int = 0
    first_visitor_sentence_seen: bool = False

    def record(self, text: str, replies: list[dict[str, Any]]) -> None:
        """Counts replies in the other language once the visitor has written a sentence in theirs."""
        self.turns.append((text, replies))
        if len(text.split()) >= 3 and detect_language(text, ("en", "es")) == self.lang:
            self.first_visitor_sentence_seen = True
        elif not self.first_visitor_sentence_seen:
            return
        for reply in replies:
            said = reply.get("text") or ""
            detected = detect_language(said, ("en", "es")) if len(said.split()) >= 4 else None
            if detected is not None and detected != self.lang:
                self.wrong_language += 1


def _metadata(page_lang: str, page: str = "/") -> dict[str, Any]:
    return {"language": page_lang, "page": {"path": page, "url": f"https://example.test{page}", "title": page}}


_CHOICE = re.compile(r"clarify:(\w+)")


def _choice(button: dict[str, Any]) -> str | None:
    found = _CHOICE.search(str(button.get("payload", "")))
    return found.group(1) if found else None


def _is_clarification(replies: list[dict[str, Any]]) -> bool:
    return any(_choice(b) for r in replies for b in r.get("buttons") or [])


def _clarify_button(replies: list[dict[str, Any]], field_name: str, truth: Any) -> str | None:
    """The clarification button a visitor with this truth would press."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            choice = _choice(button)
            if choice and _choice_fits(field_name, choice, truth):
                return str(button["payload"])
    return None


def _choice_fits(field_name: str, choice: Any, truth: Any) -> bool:
    options = truth if isinstance(truth, list) else [truth]
    if choice in ("yes", "no"):
        return False  # yes/no confirmations are answered from the restatement
    return str(choice) in {str(o) for o in options}


def _confirms(replies: list[dict[str, Any]], field_name: str, truth: Any) -> bool:
    """Whether a visitor with this truth says yes to "is that about €40,000 a year?"."""
    asked = " ".join(str(r.get("text") or "") for r in replies)
    read = parse_budget(asked) if field_name == "budget" else None
    if read is None or read.value is None:
        return True
    return matches("budget", f"{float(read.value):g}", truth)


def _yes_no(replies: list[dict[str, Any]], agree: bool) -> str | None:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if _choice(button) == ("yes" if agree else "no"):
                return str(button["payload"])
    return None


# --- the corpus -------------------------------------------------------------------------


def run_corpus(client: Client, items: list[Item], store: LeadStore, sla: Any) -> dict[str, Any]:
    tally = Tally()
    incidental_changed = incidental_total = 0
    corrections_ok = corrections_total = 0
    questions_ok = questions_total = 0
    clarifications = 0
    for item in items:
        if item.today is not None:
            continue  # its text fixes another date than the server's: `leadbot evaluate` scores it
        sender = f"corpus-{item.id}-{uuid.uuid4().hex[:6]}"
        transcript = Transcript(sender, item.lang)
        meta = _metadata(item.lang)
        lang = item.lang
        target = item.asked or ("budget" if item.kind == "price" else "need")
        if item.section == "corrections":
            target = next(iter(item.before))
        transcript.record("hi", client.say(sender, "hi", meta))
        for _ in range(6):
            pending = client.slots(sender).get("requested_slot")
            if pending == target or pending is None:
                break
            text = item.before.get(pending) if item.section == "corrections" else None
            text = text or _SCAFFOLD[lang].get(pending) or "next month"
            transcript.record(text, client.say(sender, text, meta))
        if item.section == "corrections":
            text = item.before[target]
            transcript.record(text, client.say(sender, text, meta))
            for name, earlier in item.before.items():
                if name != target:
                    transcript.record(earlier, client.say(sender, earlier, meta))
            before = _stored(store, sender)
            replies = client.say(sender, item.text, meta)
            after = _stored(store, sender)
            corrections_total += 1
            if item.expect:
                ok = all(_label_ok(name, after.get(name), value) for name, value in item.expect.items())
                ok &= all(after.get(f) == before.get(f) for f in item.before if f not in item.expect)
            else:
                ok = all(after.get(f) == before.get(f) for f in item.must_not_fill)
            corrections_ok += ok
            tally.add(f"corrections:{split_of(item.id)}", ok)
            if not ok:
                tally.misses.append((item.id, "correction", str(item.expect or item.must_not_fill), str(after)))
            continue
        replies = client.say(sender, item.text, meta)
        transcript.record(item.text, replies)
        if _is_clarification(replies):
            clarifications += 1
            # the matching button; a yes/no check ("is that about €20,000 a year?") is accepted
            button = _clarify_button(replies, target, item.expect) if item.expect is not None else None
            button = button or _yes_no(replies, True)
            if button:
                client.say(sender, button, meta)
        stored = _stored(store, sender)
        if item.section == "questions":
            questions_total += 1
            said = " ".join(r.get("text") or "" for r in replies).lower()
            refused = any(
                w in said
                for w in (
                    *("didn't quite get", "can't help", "no lo he entendido", "no puedo ayudar"),
                    *("put it another way", "de otra forma"),  # the re-ask with the question's hint
                )
            )
            ok = not refused and stored.get(target) is None and not client.slots(sender).get("misses")
            questions_ok += ok
            tally.add(f"questions:{split_of(item.id)}", ok)
            if not ok:
                tally.misses.append((item.id, "question", str(item.kind), said[:120]))
            continue
        if item.section == "incidental":
            incidental_total += 1
            changed = [f for f in item.must_not_fill if stored.get(f) is not None and f not in _SCAFFOLD[lang]]
            changed = [f for f in changed if f != target]
            incidental_changed += bool(changed)
            tally.add(f"incidental:{split_of(item.id)}", not changed)
            if changed:
                tally.misses.append((item.id, "incidental", ",".join(changed), item.text[:80]))
            if item.expect is not None:
                tally.add_field(
                    item.id, target, item.expect, stored.get(target) or "unknown", keys=("incidental_asked",)
                )
            continue
        split = split_of(item.id)
        keys = (target, f"{target}:{lang}", "fields", f"{target}:{split}", f"fields:{split}")
        tally.add_field(item.id, target, item.expect, stored.get(target) or "unknown", keys=keys)
    return {
        "tally": tally,
        "incidental": (incidental_changed, incidental_total),
        "corrections": (corrections_ok, corrections_total),
        "questions": (questions_ok, questions_total),
        "clarifications": (clarifications, len(items)),
    }


def _stored(store: LeadStore, sender: str) -> dict[str, str | None]:
    """The stored lead's answers as labels (None: not answered)."""
    lead = _lead(store, sender)
    if lead is None:
        return {}
    return {name: _export_label(name, lead["answers"].get(name)) for name in FIELDS}


def _lead(store: LeadStore, sender: str) -> dict[str, Any] | None:
    lead = store.get(sender)
    return export_object(lead) if lead is not None else None


def _export_label(name: str, answer: dict[str, Any] | None) -> str | None:
    if not answer or answer.get("raw") is None:
        return None
    kind, value = answer.get("kind"), answer.get("value")
    if kind == "unknown":
        return "unknown"
    if name == "budget":
        return "unsure" if kind == "undecided" else "none" if kind == "none" or value is None else f"{float(value):g}"
    if name == "timing":
        return "gt12" if kind == "none" else "undecided" if value is None else bucket(float(value))
    return str(value)


def _label_ok(name: str, stored: str | None, expected: Any) -> bool:
    from bot.evaluation import matches

    return stored is not None and matches(name, stored, expected)


# --- whole conversations ----------------------------------------------------------------


def expected_tiers(truth: dict[str, Any]) -> set[str]:
    """Every tier the truth can mean (any field's label may name several values)."""
    options = [truth.get(f) if isinstance(truth.get(f), list) else [truth.get(f)] for f in FIELDS]
    tiers = set()
    for combo in itertools.product(*options):
        labels = dict(zip(FIELDS, combo, strict=True))
        points = sum(_POINTS[f].get(labels[f], 0) for f in ("need", "role", "timing"))
        budget = labels["budget"]
        if isinstance(budget, (int, float)):
            points += 25 if budget >= 10000 else 15 if budget >= 5000 else 0
        elif budget == "unsure":
            points += 10
        knocked = any((f, labels[f]) in _KNOCK_OUTS for f in ("need", "role"))
        tiers.add("disqualified" if knocked or points < 40 else "sales_ready" if points >= 70 else "nurture")
    return tiers


def run_conversations(client: Client, conversations: list[dict[str, Any]], store: LeadStore) -> dict[str, Any]:
    tally = Tally()
    reasks = 0
    wrong_language: Counter[str] = Counter()
    visitors: Counter[str] = Counter()
    inconsistent: list[str] = []
    transcripts: list[str] = []
    for conv in conversations:
        sender = f"conv-{conv['id']}-{uuid.uuid4().hex[:6]}"
        lang = conv.get("lang", "en")
        meta = _metadata(conv.get("page_lang", lang), conv.get("page", "/"))
        transcript = Transcript(sender, lang)
        truth = conv["truth"]
        sent_before: set[str] = set()
        pending_after: list[str] = []
        answered: Counter[str] = Counter()
        transcript.record("hi", client.say(sender, "hi", meta))  # the widget's hidden opener
        replies = client.say(sender, conv["opener"], meta)
        transcript.record(conv["opener"], replies)
        contact = conv.get("contact") or {}
        for _ in range(30):
            slots = client.slots(sender)
            pending = slots.get("requested_slot")
            if pending_after:
                text = pending_after.pop(0)
            elif pending is None:
                break
            elif _is_clarification(replies) and pending in FIELDS:
                transcript.clarified += 1
                text = (
                    _clarify_button(replies, pending, truth[pending])
                    or _yes_no(replies, _confirms(replies, pending, truth[pending]))
                    or conv["restate"][pending]
                )
            elif pending in FIELDS and pending in (conv.get("before") or {}) and pending not in sent_before:
                sent_before.add(pending)
                text = conv["before"][pending]
            elif pending in FIELDS:
                text = conv["restate"][pending] if answered[pending] else conv["answers"][pending]
                reasks += answered[pending] > 0
                answered[pending] += 1
                if pending in (conv.get("after") or {}) and answered[pending] == 1:
                    pending_after.append(conv["after"][pending])
            elif pending in _CONTACT_SLOTS:
                key = "consent" if pending == "contact_consent" else pending
                if answered[pending] >= 2:
                    break
                answered[pending] += 1
                text = str(contact.get(key) or "")
            else:
                break
            replies = client.say(sender, text, meta)
            transcript.record(text, replies)
        # an `after` given for the last question arrives once the bot has closed: a late correction
        for text in pending_after:
            replies = client.say(sender, text, meta)
            transcript.record(text, replies)
            for _ in range(4):  # the bot may now ask for contact details
                pending = client.slots(sender).get("requested_slot")
                if pending not in _CONTACT_SLOTS:
                    break
                key = "consent" if pending == "contact_consent" else pending
                text = str(contact.get(key) or "")
                replies = client.say(sender, text, meta)
                transcript.record(text, replies)
        stored = _stored(store, sender)
        for name in FIELDS:
            tally.add_field(
                conv["id"], name, truth[name], stored.get(name) or "unknown", keys=(name, f"{name}:{lang}", "fields")
            )
        lead = _lead(store, sender)
        tiers = expected_tiers(truth)
        tally.add("tier", bool(lead) and lead["tier"] in tiers)
        if lead and lead["tier"] not in tiers:
            tally.misses.append((conv["id"], "tier", "|".join(sorted(tiers)), str(lead["tier"])))
        transcripts.append(_transcript_text(conv, transcript, lead))
        problem = _disagreement(lead, transcript, client.slots(sender))
        if problem:
            inconsistent.append(f"{conv['id']}: {problem}")
        reasks += transcript.clarified
        visitors[lang] += 1
        wrong_language[lang] += transcript.wrong_language > 0
    return {
        "tally": tally,
        "reasks": (reasks, len(conversations)),
        "wrong_language": (wrong_language["es"], visitors["es"]),
        "wrong_language_en": (wrong_language["en"], visitors["en"]),
        "inconsistent": inconsistent,
        "total": len(conversations),
        "transcripts": transcripts,
    }


def _transcript_text(conv: dict[str, Any], transcript: Transcript, lead: dict[str, Any] | None) -> str:
    """One conversation as read while improving the parsers (dev sets only): turns, then stored answers."""
    lines = [f"## {conv['id']} ({conv.get('lang')} on a {conv.get('page_lang')} page)", ""]
    for text, replies in transcript.turns:
        lines.append(f"- visitor: {text}")
        lines.extend(f"  - bot: {(reply.get('text') or '').strip()}" for reply in replies)
    lines.append("")
    answers = (lead or {}).get("answers") or {}
    for name in FIELDS:
        answer = answers.get(name) or {}
        lines.append(
            f"- **{name}**: truth `{conv['truth'][name]}`, stored `{_export_label(name, answer)}`"
            f" from {answer.get('raw')!r} ({answer.get('reason')})"
        )
    lines.append(f"- **tier**: {(lead or {}).get('tier')}")
    return "\n".join(lines) + "\n"


_SALES_READY_CLOSE = ("sales team will", "equipo comercial", "will contact you", "se pondrá en contacto")


def _disagreement(lead: dict[str, Any] | None, transcript: Transcript, slots: dict[str, Any]) -> str | None:
    """What the store says against what the visitor was told, or None when they agree."""
    if lead is None:
        return "no lead stored"
    told_sales = any(
        any(w in (r.get("text") or "").lower() for w in _SALES_READY_CLOSE)
        for _, replies in transcript.turns
        for r in replies
    )
    consent = slots.get("contact_consent") is True and bool(slots.get("email"))
    if lead["tier"] == "sales_ready" and consent and not lead["handed_off"]:
        return "sales-ready with consent but no handoff"
    if lead["handed_off"] and lead["tier"] != "sales_ready" and not slots.get("human_requested"):
        return f"handed off while {lead['tier']}"
    if lead["handed_off"] and not told_sales:
        return "handed off but the visitor was not told"
    tier_word = {"sales_ready": "sales", "nurture": "nurture", "disqualified": "not a fit"}.get(lead["tier"] or "", "")
    if lead.get("summary") and tier_word and lead["tier"] == "sales_ready" and "nurture" in lead["summary"].lower():
        return "summary still says nurture"
    if lead["tier"] == "sales_ready" and slots.get("tier") and slots.get("tier") != "sales_ready":
        return f"bot closed as {slots.get('tier')} but the store says sales_ready"
    return None


# --- report ------------------------------------------------------------------------------


def _pct(right: int, total: int) -> str:
    return f"{right}/{total} = {100 * right / total:.1f} %" if total else "n/a"


def _share(tally: Tally, key: str) -> str:
    return _pct(tally.right[key], tally.total[key])


def _confusion(tally: Tally, name: str) -> list[str]:
    cells = tally.confusion.get(name) or Counter()
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    lines = [f"| {name}: label \\ stored | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(str(cells.get((row, c), 0) or "") for c in cols) + " |")
    return lines


def report(corpus: dict[str, Any], convs: dict[str, Any], seconds: float, hidden: set[str]) -> str:
    """The results page; `hidden` are the ids whose misses are counted but not listed."""
    ct: Tally = corpus["tally"]
    vt: Tally = convs["tally"]
    lines = [
        "# Understanding real visitors: held-out results over REST",
        "",
        f"Run {datetime.now(tz=timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/bench_understanding.py`"
        f" in {seconds:.0f} s,",
        "against a real Rasa server and action server (models/leadbot.tar.gz, the shipped sla.yml).",
        "",
        "## Targets",
        "",
        "| measure | corpus | conversations | target |",
        "|---|---|---|---|",
    ]
    for name in FIELDS:
        lines.append(f"| {name} | {_share(ct, name)} | {_share(vt, name)} | ≥ 95 % |")
    lines += [
        f"| all fields | {_share(ct, 'fields')} | {_share(vt, 'fields')} | ≥ 95 % |",
        f"| tier agreement | – | {_share(vt, 'tier')} | ≥ 95 % |",
        f"| incidental items that changed a field | {_pct(*corpus['incidental'])} | – | ≤ 1 % |",
        f"| corrections stored as confirmed | {_pct(*corpus['corrections'])} | – | 100 % |",
        f"| visitor questions not counted as answers | {_pct(*corpus['questions'])} | – | 100 % |",
        f"| clarifying questions or re-asks per conversation | {_pct(*corpus['clarifications'])} | "
        f"{_pct(*convs['reasks'])} | ≤ 1 per 5 |",
        f"| stored state disagreeing with what the visitor was told | – | "
        f"{len(convs['inconsistent'])} of {convs['total']} | 0 |",
        f"| Spanish visitors answered in English after a Spanish sentence | – | {_pct(*convs['wrong_language'])} | 0 |",
        f"| English visitors answered in Spanish after an English sentence | – | "
        f"{_pct(*convs['wrong_language_en'])} | 0 |",
        "",
        "Per language (corpus): "
        + ", ".join(f"{n} {lang} {_share(ct, f'{n}:{lang}')}" for n in FIELDS for lang in ("en", "es")),
        "",
        # The corpus's dev half may be read while fixing the parsers; its test half never is.
        "Corpus by half (test = never read while fixing): "
        + "; ".join(
            f"{half}: "
            + ", ".join(
                f"{key} {_share(ct, f'{key}:{half}')}"
                for key in (*FIELDS, "fields", "incidental", "corrections", "questions")
            )
            for half in ("test", "dev")
        ),
        "",
        "Per language (conversations): "
        + ", ".join(f"{n} {lang} {_share(vt, f'{n}:{lang}')}" for n in FIELDS for lang in ("en", "es")),
        "",
        "## Confusion matrices (rows: label, columns: what the store holds)",
        "",
    ]
    for title, tally in (("Corpus", ct), ("Conversations", vt)):
        lines += [f"### {title}", ""]
        for name in FIELDS:
            lines += [*_confusion(tally, name), ""]
    lines += ["## Disagreements between the store and the conversation", ""]
    lines += [f"- {d}" for d in convs["inconsistent"]] or ["none"]
    lines += [
        "",
        "## Misses",
        "",
        "The corpus's test half is only ever scored: its misses are counted above, never listed.",
        "",
        "| set | id | field | label | stored |",
        "|---|---|---|---|---|",
    ]
    for set_name, tally in (("corpus", ct), ("conversations", vt)):
        for item_id, name, expected, got in tally.misses:
            if set_name == "corpus" and item_id in hidden:
                continue
            lines.append(f"| {set_name} | {item_id} | {name} | {expected} | {str(got)[:100].replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default=str(ROOT / "eval" / "corpus" / "answers.yml"), help="'' to drive conversations only"
    )
    parser.add_argument(
        "--conversations", nargs="*", default=sorted(str(p) for p in (ROOT / "eval" / "conversations").glob("*.yml"))
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N items of each set (a quick look)")
    parser.add_argument("--output", default=str(RESULTS / "understanding.md"))
    parser.add_argument("--transcripts", help="also write every conversation, turn by turn, here (dev sets only)")
    args = parser.parse_args(argv)
    sla = load_sla(ROOT / "sla.yml")
    items = load_corpus(args.corpus) if args.corpus else []
    conversations = load_conversations(args.conversations)
    if args.limit:
        items, conversations = items[: args.limit], conversations[: args.limit]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack.on_free_ports(Path(tmp))
        stack.start()
        try:
            client = Client(stack.rasa_url, stack.rasa_auth)
            store = LeadStore(stack.database_url)
            corpus = run_corpus(client, items, store, sla)
            convs = run_conversations(client, conversations, store)
        finally:
            stack.stop()
    # The shared corpus's test half is only ever scored (eval/README.md); dev sets are listed whole.
    shared = bool(args.corpus) and Path(args.corpus).resolve() == (ROOT / "eval" / "corpus" / "answers.yml").resolve()
    hidden = {item.id for item in items if shared and split_of(item.id) == "test"}
    text = report(corpus, convs, time.monotonic() - started, hidden)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    if args.transcripts:
        Path(args.transcripts).write_text("\n".join(convs["transcripts"]), encoding="utf-8")
    print(text.split("## Confusion")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
