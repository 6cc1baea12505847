"""Is the assistant as good in Spanish as in English? NLU cross-validation and per-turn latency.

Run on demand, once (it trains 3 x FOLDS models on the machine's cores):

    python benchmarks/bench_nlu.py crossval   # -> benchmarks/results/nlu_crossval.md
    python benchmarks/bench_nlu.py latency    # -> benchmarks/results/nlu_latency.md

`crossval` splits each language's examples (data/nlu.yml, data/nlu_es.yml) into the same
stratified folds and, per fold, trains the pipeline in config.yml three times: English only,
Spanish only, and both (the shipped bilingual model), each tested on the held-out examples
of its language(s). Intents are scored as `rasa test nlu` does (a fallback prediction is
undone so it does not hide the intent DIET chose); how often the FallbackClassifier would
have fired is reported beside it, since that is what a visitor would see.

`latency` starts the real stack (bot.ops.local.Stack on free ports) and times every turn of
the same conversation written in English and in Spanish, interleaved so that load on the
shared machine hits both languages alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

# Which file holds which language's examples (nonsense lives in the English file only:
# keyboard mashing has no language).
DATA = {"en": ROOT / "data" / "nlu.yml", "es": ROOT / "data" / "nlu_es.yml"}
CONFIG = ROOT / "config.yml"
FOLDS = 5
SEED = 42
# The acceptance bar: Spanish weighted F1 at most this many points below English.
MAX_GAP_POINTS = 3.0


# --------------------------------------------------------------------------- cross-validation


@dataclass
class Predictions:
    """Held-out examples of one language, as one model read them."""

    truth: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    fallback: list[bool] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def extend(self, other: Predictions) -> None:
        self.truth += other.truth
        self.predicted += other.predicted
        self.fallback += other.fallback
        self.texts += other.texts

    def report(self) -> dict[str, Any]:
        from sklearn.metrics import classification_report

        return classification_report(self.truth, self.predicted, output_dict=True, zero_division=0)

    @property
    def fallback_rate(self) -> float:
        return sum(self.fallback) / len(self.fallback) if self.fallback else 0.0

    def confusions(self, top: int = 8) -> list[tuple[tuple[str, str], int]]:
        pairs = Counter((t, p) for t, p in zip(self.truth, self.predicted, strict=True) if t != p)
        return pairs.most_common(top)

    def errors(self) -> list[tuple[str, str, str]]:
        return [(text, t, p) for text, t, p in zip(self.texts, self.truth, self.predicted, strict=True) if t != p]


def _quiet_rasa() -> None:
    # Each training would otherwise fill the repo's .rasa/cache with models nobody reuses.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    os.environ["RASA_CACHE_DIRECTORY"] = tempfile.mkdtemp(prefix="leadbot-bench-cache-")
    import logging

    logging.disable(logging.WARNING)


def _folds(language: str) -> list[tuple[Any, Any]]:
    """The (train, test) TrainingData of each fold of one language's examples."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    examples = load_data(str(DATA[language])).intent_examples
    labels = [example.get("intent") for example in examples]
    split = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return [
        (
            TrainingData(training_examples=[examples[i] for i in train]),
            TrainingData(training_examples=[examples[i] for i in test]),
        )
        for train, test in split.split(examples, labels)
    ]


def _train(data: Any, workdir: Path, name: str) -> Any:
    """Train config.yml's NLU pipeline on `data`; the loaded model's message processor."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    data_file = workdir / f"{name}.yml"
    RasaYAMLWriter().dump(data_file, data)
    model = train_nlu(str(CONFIG), str(data_file), str(workdir), fixed_model_name=name)
    if model is None:
        raise RuntimeError(f"training {name} failed")
    return Agent.load(model).processor


async def _predict(processor: Any, test: Any) -> Predictions:
    from rasa.core.channels import UserMessage
    from rasa.nlu.classifiers import fallback_classifier

    found = Predictions()
    for example in test.intent_examples:
        result = await processor.parse_message(UserMessage(text=example.get("text")), only_output_properties=False)
        fell_back = fallback_classifier.is_fallback_classifier_prediction(result)
        if fell_back:
            result = fallback_classifier.undo_fallback_prediction(result)
        found.truth.append(example.get("intent"))
        found.predicted.append((result.get("intent") or {}).get("name") or "")
        found.fallback.append(fell_back)
        found.texts.append(example.get("text"))
    return found


def crossval() -> dict[str, Predictions]:
    """Predictions per setting: en, es (monolingual models) and mixed:en, mixed:es."""
    _quiet_rasa()
    folds = {language: _folds(language) for language in DATA}
    results = {key: Predictions() for key in ("en", "es", "mixed:en", "mixed:es")}
    with tempfile.TemporaryDirectory(prefix="leadbot-crossval-") as tmp:
        workdir = Path(tmp)
        for number in range(FOLDS):
            (en_train, en_test), (es_train, es_test) = folds["en"][number], folds["es"][number]
            started = time.monotonic()
            for language, train, test in (("en", en_train, en_test), ("es", es_train, es_test)):
                processor = _train(train, workdir, f"fold{number}-{language}")
                results[language].extend(asyncio.run(_predict(processor, test)))
            mixed = _train(en_train.merge(es_train), workdir, f"fold{number}-mixed")
            results["mixed:en"].extend(asyncio.run(_predict(mixed, en_test)))
            results["mixed:es"].extend(asyncio.run(_predict(mixed, es_test)))
            print(f"fold {number + 1}/{FOLDS} done in {time.monotonic() - started:.0f} s", flush=True)
    return results


def _points(value: float) -> str:
    return f"{100 * value:.1f}"


def write_crossval(results: dict[str, Predictions], seconds: float) -> str:
    reports = {key: found.report() for key, found in results.items()}
    intents = sorted({label for found in results.values() for label in found.truth})
    columns = [("en", "EN only"), ("es", "ES only"), ("mixed:en", "bilingual → EN"), ("mixed:es", "bilingual → ES")]

    def f1(key: str, row: str) -> str:
        entry = reports[key].get(row)
        return _points(entry["f1-score"]) if entry and entry.get("support", 1) else "–"

    def support(key: str, intent: str) -> int:
        return int(reports[key].get(intent, {}).get("support", 0))

    lines = [
        "# NLU cross-validation per language",
        "",
        f"Generated by `python benchmarks/bench_nlu.py crossval` on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC in {seconds / 60:.0f} min.",
        f"Pipeline: `config.yml`; {FOLDS} stratified folds (seed {SEED}) of each language's examples "
        f"({len(results['en'].truth)} English in `data/nlu.yml`, {len(results['es'].truth)} Spanish in "
        "`data/nlu_es.yml`). *EN only* / *ES only*: a model trained on one language's training folds; "
        "*bilingual*: the shipped set-up, trained on both languages' training folds, scored on each "
        "language's held-out fold.",
        "Intent F1 in points (0–100), fallback predictions undone as `rasa test nlu` does.",
        "",
        "| intent | " + " | ".join(title for _, title in columns) + " | examples EN / ES |",
        "|---|" + "---:|" * len(columns) + "---:|",
    ]
    for intent in intents:
        cells = " | ".join(f1(key, intent) for key, _ in columns)
        lines.append(f"| {intent} | {cells} | {support('en', intent)} / {support('es', intent)} |")
    for row, title in (("macro avg", "**macro F1**"), ("weighted avg", "**weighted F1**")):
        lines.append(f"| {title} | " + " | ".join(f"**{f1(key, row)}**" for key, _ in columns) + " | |")
    lines.append("| accuracy | " + " | ".join(_points(reports[key]["accuracy"]) for key, _ in columns) + " | |")
    lines.append(
        "| below fallback threshold (%) | "
        + " | ".join(_points(results[key].fallback_rate) for key, _ in columns)
        + " | |"
    )
    lines += ["", "## Target: Spanish weighted F1 within 3 points of English", ""]
    for english, spanish, what in (("en", "es", "monolingual models"), ("mixed:en", "mixed:es", "bilingual model")):
        gap = 100 * (reports[english]["weighted avg"]["f1-score"] - reports[spanish]["weighted avg"]["f1-score"])
        verdict = "met" if gap <= MAX_GAP_POINTS else "NOT met"
        lines.append(f"- {what}: English − Spanish = {gap:+.1f} points → {verdict}")
    lines += ["", "## Most frequent confusions (true → predicted: count)", ""]
    for key, title in columns:
        pairs = ", ".join(f"{t} → {p}: {n}" for (t, p), n in results[key].confusions()) or "none"
        lines.append(f"- {title}: {pairs}")
    return _write("nlu_crossval.md", lines)


def write_errors(results: dict[str, Predictions]) -> None:
    """Every misread held-out example, to decide which intents need more examples."""
    lines = ["# Held-out examples the bilingual model misread", ""]
    for key in ("mixed:en", "mixed:es"):
        lines += [f"## {key.split(':')[1].upper()}", "", "| text | true | predicted |", "|---|---|---|"]
        lines += [f"| {text} | {t} | {p} |" for text, t, p in sorted(results[key].errors(), key=lambda e: e[1])]
        lines.append("")
    _write("nlu_errors.md", lines)


def _write(name: str, lines: list[str]) -> str:
    text = "\n".join([*lines, ""])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------------- latency

# The same qualification, turn for turn, in both languages (sales-ready, with contact).
CONVERSATION = {
    "en": [
        "hello",
        "our sales reps waste hours every week on bad leads",
        "around 20k a year",
        "I'm the head of sales",
        "next quarter",
        "Ana García",
        "ana.garcia@acme-corp.com",
        "Acme Corp",
        "yes",
    ],
    "es": [
        "hola",
        "los comerciales pierden horas cada semana con leads malos",
        "unos 20.000 € al año",
        "soy la directora comercial",
        "el próximo trimestre",
        "Ana García",
        "ana.garcia@acme-corp.com",
        "Acme Corp",
        "sí",
    ],
}


def _converse(rasa_url: str, turns: list[str]) -> list[float]:
    import requests

    sender = f"bench-{uuid.uuid4().hex[:12]}"
    timings = []
    for text in turns:
        started = time.perf_counter()
        message = {"sender": sender, "message": text}
        response = requests.post(f"{rasa_url}/webhooks/rest/webhook", json=message, timeout=60)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        if not response.json():
            raise RuntimeError(f"no reply to {text!r}")
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(runs: int) -> dict[str, list[float]]:
    from bot.ops.local import Stack

    with tempfile.TemporaryDirectory(prefix="leadbot-latency-") as tmp:
        stack = Stack.on_free_ports(Path(tmp))
        stack.start()
        try:
            for language in CONVERSATION:  # warm-up: first parse, lingua models, DB connections
                _converse(stack.rasa_url, CONVERSATION[language])
            timings: dict[str, list[float]] = {language: [] for language in CONVERSATION}
            for run in range(runs):
                order = list(CONVERSATION) if run % 2 == 0 else list(reversed(CONVERSATION))
                for language in order:
                    timings[language] += _converse(stack.rasa_url, CONVERSATION[language])
        finally:
            stack.stop()
    return timings


def write_latency(timings: dict[str, list[float]], runs: int) -> str:
    lines = [
        "# Per-turn latency, English vs Spanish",
        "",
        f"Generated by `python benchmarks/bench_nlu.py latency --runs {runs}` on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ({os.cpu_count()} shared cores).",
        f"The same {len(CONVERSATION['en'])}-turn sales-ready conversation in each language, {runs} times, "
        "interleaved, over the REST channel of a local stack (Rasa + action server, SQLite); "
        "time from POST to the bot's full reply.",
        "",
        "| language | turns | p50 (ms) | p95 (ms) | mean (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for language, values in timings.items():
        lines.append(
            f"| {language} | {len(values)} | {_percentile(values, 0.5):.0f} | {_percentile(values, 0.95):.0f} "
            f"| {statistics.fmean(values):.0f} | {max(values):.0f} |"
        )
    lines += ["", "Per turn, median (ms):", "", "| turn | EN | ES |", "|---:|---:|---:|"]
    size = len(CONVERSATION["en"])
    for turn in range(size):
        medians = [statistics.median(timings[language][turn::size]) for language in ("en", "es")]
        lines.append(f"| {turn + 1} | {medians[0]:.0f} | {medians[1]:.0f} |")
    return _write("nlu_latency.md", lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["crossval", "latency"])
    parser.add_argument("--runs", type=int, default=10, help="conversations per language (latency)")
    args = parser.parse_args()
    os.chdir(ROOT)  # the stack and config.yml use paths relative to the repo
    if args.what == "crossval":
        started = time.monotonic()
        results = crossval()
        print(write_crossval(results, time.monotonic() - started))
        write_errors(results)
        return 0
    print(write_latency(latency(args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
