"""`leadbot check` on the CRM field maps: the shipped crm.yml passes, and each mistake sales ops
can make is reported at its line with what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.delivery.channels import retry_after_seconds
from bot.delivery.crm_fields import render_fields, source_value
from bot.sla.check_crm import check_crm, check_crm_of
from bot.sla.crm import FieldSource, crm_file_of, load_crm

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = ["need", "budget", "role", "timing"]


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "crm.yml"
    path.write_text(text)
    return [f"{p.line}: {p.message}" for p in check_crm(path, CRITERIA)]


def test_the_shipped_crm_file_passes_and_sla_yml_names_it() -> None:
    assert check_crm(ROOT / "crm.yml", CRITERIA) == []
    assert crm_file_of(ROOT / "sla.yml") == ROOT / "crm.yml"
    config = load_crm(ROOT / "crm.yml")
    assert config.hubspot is not None and config.salesforce is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hubspot:\n  properties:\n    email: contact.email\n    leadbot_tier: teir\n",
            "4: unknown source 'teir'; did you mean 'tier'?",
        ),
        ("hubspot:\n  properties:\n    email: answers.nede.raw\n", "3: unknown criterion 'nede'"),
        ("hubspot:\n  properties:\n    email: answers.need\n", "3: answers.need: say which part"),
        ("hubspot:\n  properties:\n    firstname: contact.first_name\n", "2: hubspot.properties: map email"),
        ("hubspot:\n  mode: contact\n", "2: hubspot.mode: unexpected value"),
        (
            "hubspot:\n  properties: {email: contact.email}\n  custom_properties:\n    Leadbot Tier: {label: x}\n",
            "4: custom property 'Leadbot Tier': use lower-case",
        ),
        (
            "hubspot:\n  properties: {email: contact.email}\n  custom_properties:\n    leadbot_x: {label: x}\n",
            "4: custom property 'leadbot_x' is created but never written",
        ),
        (
            "salesforce:\n  external_id: {field: Key__c, from: contact.email}\n  fields:\n"
            "    Company: {from: contact.company, default: '-'}\n",
            "3: salesforce.fields: map LastName",
        ),
        (
            "salesforce:\n  external_id: {field: Key__c, from: contact.email}\n  fields:\n"
            "    LastName: contact.last_name\n    Company: {from: contact.company, default: '-'}\n",
            "4: LastName: give a default",
        ),
        ("salesforce:\n  fields: {}\n", "1: salesforce.external_id: name the Lead's External ID field"),
        (
            "salesforce:\n  api_version: v60\n  mode: web_to_lead\n  web_to_lead_fields: {email: contact.email}\n",
            "2: api_version 'v60'",
        ),
        (
            "salesforce:\n  mode: web_to_lead\n  web_to_lead_fields:\n    email: {frm: contact.email}\n",
            "4: unknown key 'frm'",
        ),
        ("version: 1\n", "1: give a hubspot: or a salesforce: section"),
    ],
)
def test_a_mistake_is_reported_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_crm_file_is_reported_at_the_sla_files_crm_key(tmp_path: Path) -> None:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8").replace("crm: crm.yml", "crm: crm-typo.yml")
    (tmp_path / "sla.yml").write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("crm:"))
    assert [str(p) for p in check_crm_of(tmp_path / "sla.yml")] == [
        f"{tmp_path / 'sla.yml'}:{line}:6: crm: no file 'crm-typo.yml' next to this one (write it, or remove crm:)"
    ]


def test_the_crm_file_is_checked_against_the_slas_criteria(tmp_path: Path) -> None:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    (tmp_path / "sla.yml").write_text(text, encoding="utf-8")
    (tmp_path / "crm.yml").write_text("hubspot:\n  properties:\n    email: answers.urgency.raw\n")
    [problem] = check_crm_of(tmp_path / "sla.yml")
    assert problem.line == 3 and "unknown criterion 'urgency'" in problem.message


PAYLOAD = {
    "contact": {"name": "María García López", "email": "maria@example.es", "company": None},
    "answers": {
        "need": {"raw": "perdemos leads", "value": "pain", "points": 30},
        "budget": {"raw": None, "value": None},
    },
    "score": 85,
    "qualified": True,
    "page_context": {"utm": {"utm_source": "newsletter"}},
}


def test_field_maps_take_the_first_source_with_a_value_then_the_default() -> None:
    fields = {
        "FirstName": FieldSource(**{"from": ["contact.first_name"]}),
        "LastName": FieldSource(**{"from": ["contact.last_name"], "default": "(not given)"}),
        "Company": FieldSource(**{"from": ["contact.company", "page_context.utm.utm_source"]}),
        "Phone": FieldSource(**{"from": ["contact.phone"]}),
        "Key": FieldSource(**{"from": ["contact.email"], "max_length": 5}),
        "Qualified": FieldSource(**{"from": ["qualified"]}),
    }
    assert render_fields(fields, PAYLOAD) == {
        "FirstName": "María",
        "LastName": "García López",  # both Spanish surnames stay together
        "Company": "newsletter",
        "Key": "maria",
        "Qualified": "true",
    }
    assert source_value(PAYLOAD, "answers_text") == "need: perdemos leads (30 points)"


class _Answer:
    def __init__(self, status: int, retry_after: str | None) -> None:
        self.status_code = status
        self.headers = {"Retry-After": retry_after} if retry_after is not None else {}


@pytest.mark.parametrize(
    ("status", "header", "seconds"),
    [(429, "120", 120.0), (503, "0", 0.0), (429, None, None), (429, "soon", None), (200, "5", None)],
)
def test_retry_after_is_read_as_seconds(status: int, header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(_Answer(status, header)) == seconds  # type: ignore[arg-type]


def test_retry_after_as_an_http_date_is_seconds_from_now() -> None:
    wait = retry_after_seconds(_Answer(429, "Wed, 21 Oct 2099 07:28:00 GMT"))  # type: ignore[arg-type]
    assert wait is not None and wait > 3600
