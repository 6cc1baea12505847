"""The CRM field maps (`crm.yml`, named by sla.yml's `crm:`): what each CRM record gets from a lead.

Sales ops edits the file; `leadbot check` validates it (bot/sla/check_crm.py) and the outbox's
HubSpot and Salesforce channels (bot/delivery/hubspot.py, salesforce.py) write what it maps.
A *source* is a dotted path into the handoff body (the export object of docs/export.md), plus a
few derived values (`contact.first_name`, `contact.last_name`, `answers_text`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator

from bot.sla.load import _structure_problem
from bot.sla.marks import _Located, _read_yaml
from bot.sla.model import Problem, SLAError, _sorted

# Scalars of the handoff body, and the values derived from it (bot/delivery/crm_fields.py).
LEAD_SOURCES = (
    "conversation_id",
    "lead_id",
    "handoff_id",
    "idempotency_key",
    "started_at",
    "finished_at",
    "language",
    "score",
    "tier",
    "knocked_out_by",
    "qualified",
    "handed_off",
    "human_requested",
    "status",
    "summary",
    "answers_text",
)
CONTACT_PARTS = ("name", "email", "company", "first_name", "last_name")
ANSWER_PARTS = ("raw", "value", "points", "currency", "kind", "explanation")
# Free-form mappings: the widget's page context (UTM, landing page), the routing's assignee, the
# nurture resource. Their keys are whatever the site or the router sends, so any path is allowed.
OPEN_ROOTS = ("page_context", "assignee", "resource")


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False
        allow_population_by_field_name = True


class FieldSource(_Strict):
    """Where one CRM field's value comes from: the first source with a value, else `default`.

    Written either as a plain source (`email: contact.email`) or as a mapping."""

    from_: list[str] = Field(alias="from", min_items=1)
    default: str | int | float | None = None
    max_length: int | None = None  # Salesforce text fields refuse longer values (255 by default)

    @validator("from_", pre=True)
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


def _plain_sources(value: Any) -> Any:
    # `email: contact.email` is short for `email: {from: [contact.email]}`.
    if isinstance(value, dict):
        return {k: {"from": v} if isinstance(v, str) else v for k, v in value.items()}
    return value


class CustomProperty(_Strict):
    """A HubSpot contact property leadbot creates on first use (in the `property_group`)."""

    label: str
    type: Literal["string", "textarea", "number"] = "string"
    description: str = ""


class HubSpotMap(_Strict):
    mode: Literal["contacts", "form"] = "contacts"
    property_group: str = "leadbot"
    property_group_label: str = "Leadbot"
    create_properties: bool = True
    properties: dict[str, FieldSource] = Field(default_factory=dict)
    custom_properties: dict[str, CustomProperty] = Field(default_factory=dict)

    _plain = validator("properties", pre=True, allow_reuse=True)(_plain_sources)


class ExternalId(FieldSource):
    """The Lead field upserts match on (an External ID field) and where its value comes from."""

    field: str


class SalesforceMap(_Strict):
    mode: Literal["upsert", "web_to_lead"] = "upsert"
    api_version: str = "60.0"
    external_id: ExternalId | None = None
    fields: dict[str, FieldSource] = Field(default_factory=dict)
    web_to_lead_fields: dict[str, FieldSource] = Field(default_factory=dict)

    _plain = validator("fields", "web_to_lead_fields", pre=True, allow_reuse=True)(_plain_sources)

    @validator("external_id", pre=True)
    def _external_source(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("from"), str):
            return {**value, "from": [value["from"]]}
        return value

    @validator("api_version", pre=True)
    def _version_text(cls, value: Any) -> Any:
        # `api_version: 60.0` unquoted is a float in YAML; the URL wants "60.0".
        return f"{value:.1f}" if isinstance(value, float) else value


class CrmConfig(_Strict):
    version: int = 1
    hubspot: HubSpotMap | None = None
    salesforce: SalesforceMap | None = None


def crm_file_of(sla_path: str | Path) -> Path | None:
    """The CRM file an SLA file names (`crm: crm.yml`, relative to it), or None.

    Reads only that key: the worker needs nothing else of the SLA (loading it all trains its
    classifiers). A broken SLA file gives None here; `leadbot check` says why."""
    try:
        with open(sla_path, encoding="utf-8") as fh:
            data: Any = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("crm") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    return Path(os.path.dirname(os.fspath(sla_path)) or ".") / name


def parse_crm(path: Path) -> tuple[CrmConfig | None, _Located, list[Problem]]:
    """YAML + schema, each problem at its line (the semantic checks are in check_crm.py)."""
    file = str(path)
    data, located, problems = _read_yaml(path)
    if data is None:
        return None, located, problems or [Problem(file, 1, 1, "the CRM file is empty")]
    if not isinstance(data, dict):
        return None, located, [*problems, Problem(file, 1, 1, "expected a mapping with hubspot: and/or salesforce:")]
    try:
        config = CrmConfig.parse_obj(data)
    except ValidationError as error:
        found = [_structure_problem(file, e, data, located, root=CrmConfig) for e in error.errors()]
        return None, located, _sorted(problems + found)
    return config, located, problems


def load_crm(path: Path) -> CrmConfig:
    """The CRM file's maps; raises `SLAError` listing every structural problem."""
    config, _, problems = parse_crm(path)
    if config is None or problems:
        raise SLAError(problems)
    return config
