"""The sales summary renders the visitor's words safely in text, Slack mrkdwn and HTML."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.delivery.summary import ZWSP, escape_markdown, render_summary
from bot.domain import AnswerRecord, Contact, CriterionRecord, Lead, Turn

AT = datetime(2024, 3, 1, 10, 30, tzinfo=timezone.utc)
NASTY = "<script>alert('x')</script> *bold* _it_ ~del~ `code` [link](http://evil) & \x1b[31mred\x07"
LONG = "pipeline " * 600  # 5,400 characters


def _answer(criterion: str, raw: str, value: str | float | None, points: int) -> AnswerRecord:
    return AnswerRecord(
        criterion=criterion,
        raw=raw,
        kind="value",
        value=value,
        currency=None,
        amount=None,
        period=None,
        points=points,
        max_points=points,
        rule="when: value",
        explanation=f"{criterion} explained",
        confidence=0.9,
        reason="",
        knock_out=False,
        extra={},
        updated_at=AT,
    )


def _lead(need: str = NASTY, *, contact: Contact | None = None, transcript_text: str | None = None) -> Lead:
    text = transcript_text if transcript_text is not None else need
    return Lead(
        id=7,
        conversation_id="conv/7 x",
        started_at=AT,
        updated_at=AT,
        finished_at=AT,
        last_answer_at=AT,
        language="en",
        status="sales_ready",
        score=85,
        tier="sales_ready",
        knocked_out_by=None,
        qualified=True,
        human_requested=True,
        contact_consent=True,
        contact=contact or Contact("Ann <b>Example</b>", "ann@example.com", "# ACME *Corp*"),
        currency="EUR",
        page_context={
            "page": {
                "url": "https://example.com/pricing?a=1&b=2",
                "title": "Pricing",
                "referrer": "https://google.com/",
            },
            "utm": {"utm_source": "google", "utm_campaign": "<spring>"},
        },
        transcript=(Turn("bot", "What brings you here?", AT), Turn("visitor", text, AT)),
        answers={
            "need": _answer("need", need, "pain", 30),
            "budget": _answer("budget", "about 20k a year", 20000.0, 25),
            "role": _answer("role", "> Head of Sales", "decision_maker", 25),
            "timing": _answer("timing", "next quarter", 3.0, 5),
        },
        breakdown=tuple(
            CriterionRecord(c, p, p, "when: value", f"{c} explained")
            for c, p in (("need", 30), ("budget", 25), ("role", 25), ("timing", 5))
        ),
        summary=None,
    )


def test_html_escapes_every_visitor_text() -> None:
    html = render_summary(_lead(), fmt="html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>Example</b>" not in html and "&lt;b&gt;Example&lt;/b&gt;" in html
    assert "&lt;spring&gt;" in html
    assert "\x1b" not in html and "\x07" not in html


def test_markdown_neutralises_formatting_and_entities() -> None:
    md = render_summary(_lead(), fmt="markdown")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "&amp;" in md
    # Every formatting character that came from the visitor is wrapped in zero-width spaces.
    need_line = next(line for line in md.splitlines() if "alert" in line)
    quoted = need_line[need_line.index("“") + 1 : need_line.rindex("”")]
    for char in "*_~`[]":
        for match in re.finditer(re.escape(char), quoted):
            at = match.start()
            assert quoted[at - 1] == ZWSP and quoted[at + 1] == ZWSP, (char, quoted)
    assert "\x1b" not in md
    # A visitor line that starts with "#" or ">" cannot become a heading or a quote.
    assert not any(line.startswith(("#", ">", "&gt;")) for line in md.splitlines())


def test_escape_markdown_line_start_markers() -> None:
    assert escape_markdown("# title") == ZWSP + "# title"
    assert escape_markdown("> quote") == ZWSP + "&gt; quote"
    assert escape_markdown("a\n# b") == "a\n" + ZWSP + "# b"


def test_plain_text_strips_control_characters_and_keeps_words() -> None:
    text = render_summary(_lead(), fmt="text")
    assert "\x1b" not in text and "\x07" not in text
    assert "<script>alert('x')</script> *bold*" in text  # quoted as written


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_long_answers_are_truncated_in_the_summary_but_whole_in_the_transcript(fmt: str) -> None:
    out = render_summary(_lead(LONG), fmt=fmt)
    assert "…" in out
    assert out.count("pipeline") >= 600  # the transcript keeps every word
    summary_part = out.split("Transcript")[0]
    assert summary_part.count("pipeline") < 100


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_summary_has_what_a_rep_needs(fmt: str) -> None:
    out = render_summary(_lead("our sales team wastes time"), fmt=fmt)
    for needle in ("ann@example.com", "our sales team wastes time", "about 20k a year", "next quarter", "85/100"):
        assert needle in out
    assert "need explained" in out and "Sales-ready" in out
    assert "google" in out and "Asked for a human" in out


def test_spanish_labels() -> None:
    out = render_summary(_lead("nuestro equipo pierde tiempo"), language="es", fmt="text")
    assert "Necesidad" in out and "Presupuesto" in out and "Listo para ventas" in out
    assert "nuestro equipo pierde tiempo" in out


def test_transcript_link_when_base_url_is_set() -> None:
    out = render_summary(_lead(), fmt="markdown", transcript_base_url="https://crm.example.com/t/")
    assert "<https://crm.example.com/t/conv%2F7%20x|Full transcript>" in out
    assert "Full transcript" not in render_summary(_lead(), fmt="text", transcript_base_url="")


def test_marketing_template_override_wins(tmp_path: Path) -> None:
    (tmp_path / "summary.txt.j2").write_text("LEAD {{ lead.score }} {{ need }}\n")
    out = render_summary(_lead("hi\x1b there"), fmt="text", templates_dir=str(tmp_path))
    assert out == "LEAD 85 hi there\n"
    assert "Transcript" in render_summary(_lead(), fmt="text", templates_dir=str(tmp_path / "missing"))


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_visitors_questions_reach_the_rep_escaped(fmt: str) -> None:
    from dataclasses import replace

    lead = replace(_lead(), visitor_questions=("does it integrate with HubSpot?", NASTY))
    out = render_summary(lead, fmt=fmt)
    assert "Asked us" in out and "does it integrate with HubSpot?" in out
    assert "\x1b" not in out  # plain text keeps the words; mrkdwn and HTML also escape them
    assert fmt == "text" or "<script>" not in out
    assert "Asked us" not in render_summary(_lead(), fmt=fmt)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_answers_follow_the_slas_criteria(fmt: str) -> None:
    """Lines come from the scored criteria: the SLA's order, any criterion, no page-computed ones."""
    from dataclasses import replace

    lead = _lead("our reps waste hours")
    size = _answer("company_size", "about 40 people", 40.0, 10)
    lead = replace(
        lead,
        answers={**lead.answers, "company_size": size},
        breakdown=(
            CriterionRecord("timing", 5, 20, "min: 0", "timing explained"),
            CriterionRecord("company_size", 10, 10, "min: 10", "size explained"),
            CriterionRecord("need", 30, 30, "when: pain", "need explained"),
            CriterionRecord("visited_pricing", 0, 5, "no", "not: pricing", asked=False),
        ),
    )
    out = render_summary(lead, fmt=fmt)
    timing, size_at, need = out.index("next quarter"), out.index("about 40 people"), out.index("our reps waste hours")
    assert timing < size_at < need and "Company size" in out
    assert "≈ 3 months" in out  # timing formatted as months, whatever its position
    assert "Visited pricing" not in out and "Head of Sales" in out  # an answer kept still shows
