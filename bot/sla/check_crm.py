"""`leadbot check` for the CRM file: sources that exist, the fields each CRM cannot do without.

Problems are placed on the CRM file's own lines; a missing file is reported at sla.yml's `crm:`.
`leadbot check` runs it after the SLA's own checks.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from bot.sla.crm import (
    ANSWER_PARTS,
    CONTACT_PARTS,
    LEAD_SOURCES,
    OPEN_ROOTS,
    CrmConfig,
    FieldSource,
    parse_crm,
)
from bot.sla.load import _parse
from bot.sla.marks import _Located, _Path
from bot.sla.model import Problem, _suggest

_HUBSPOT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_API_VERSION = re.compile(r"^[1-9][0-9]{1,2}\.0$")
# A Lead cannot be saved without these (Salesforce's required standard fields).
_LEAD_REQUIRED = ("LastName", "Company")


def check_crm_of(sla_path: str | Path) -> list[Problem]:
    """The problems of the CRM file an SLA file names (none when it names none).

    Run by `leadbot check` beside `check_sla`, not inside it: the CRM maps are read by the outbox
    worker at its start, so they do not decide whether an SLA edit may go live in the chat."""
    path = Path(sla_path)
    sla, located, _ = _parse(path)
    if sla is None or sla.crm is None:
        return []
    crm = path.parent / sla.crm
    if not crm.is_file():
        line, col = located.value(("crm",))
        return [Problem(str(path), line, col, f"crm: no file {sla.crm!r} next to this one (write it, or remove crm:)")]
    return check_crm(crm, list(sla.criteria))


def check_crm(path: Path, criteria: Collection[str] | None = None) -> list[Problem]:
    """Every problem of one CRM file; `criteria` (the SLA's) lets `answers.<name>` be checked."""
    config, located, problems = parse_crm(path)
    if config is None:
        return problems
    checker = _CrmChecker(str(path), located, criteria)
    checker.run(config)
    return problems + checker.problems


def source_problem(source: str, criteria: Collection[str] | None) -> str | None:
    """Why `source` names nothing in a handoff, or None when it does."""
    root, _, rest = source.partition(".")
    if not rest:
        if source in LEAD_SOURCES:
            return None
        return f"unknown source {source!r}" + _suggest(
            source, [*LEAD_SOURCES, *(f"contact.{p}" for p in CONTACT_PARTS)]
        )
    if root in OPEN_ROOTS:
        return None
    if root == "contact":
        return (
            None if rest in CONTACT_PARTS else f"unknown contact field {rest!r}" + _suggest(rest, list(CONTACT_PARTS))
        )
    if root == "answers":
        name, _, part = rest.partition(".")
        if criteria is not None and name not in criteria:
            return f"unknown criterion {name!r} (the SLA's criteria: {', '.join(criteria)})"
        if part not in ANSWER_PARTS:
            return f"answers.{name}: say which part, one of {', '.join(ANSWER_PARTS)} (e.g. answers.{name}.raw)"
        return None
    known = [*LEAD_SOURCES, "contact", "answers", *OPEN_ROOTS]
    return f"unknown source {source!r}" + _suggest(root, known)


class _CrmChecker:
    def __init__(self, file: str, located: _Located, criteria: Collection[str] | None) -> None:
        self.file, self.located, self.criteria = file, located, criteria
        self.problems: list[Problem] = []

    def _at(self, path: _Path, message: str, *, key: bool = False) -> None:
        line, col = self.located.key(path) if key else self.located.value(path)
        self.problems.append(Problem(self.file, line, col, message))

    def run(self, config: CrmConfig) -> None:
        if config.version != 1:
            self._at(("version",), f"unsupported version {config.version}; this assistant reads version 1")
        if config.hubspot is None and config.salesforce is None:
            self._at((), "give a hubspot: or a salesforce: section (or remove crm: from sla.yml)")
        if config.hubspot is not None:
            self._hubspot(config)
        if config.salesforce is not None:
            self._salesforce(config)

    def _sources(self, path: _Path, field: FieldSource) -> None:
        for index, source in enumerate(field.from_):
            problem = source_problem(source, self.criteria)
            if problem:
                # `name: source` has no `from:` node of its own: point at the value written.
                written = next((p for p in ((*path, "from", index), (*path, "from")) if p in self.located.values), path)
                self._at(written, f"{problem} (docs/crm.md lists the sources)")
        if field.max_length is not None and field.max_length < 1:
            self._at((*path, "max_length"), "max_length: give a positive number of characters")

    def _fields(self, path: _Path, fields: dict[str, FieldSource]) -> None:
        for name, field in fields.items():
            self._sources((*path, name), field)

    def _hubspot(self, config: CrmConfig) -> None:
        hubspot = config.hubspot
        assert hubspot is not None
        base: _Path = ("hubspot",)
        if not hubspot.properties:
            self._at(base, "hubspot.properties: map at least email (e.g. email: contact.email)", key=True)
        elif "email" not in hubspot.properties:
            self._at(
                (*base, "properties"),
                "hubspot.properties: map email (email: contact.email); contacts are created and updated by it",
                key=True,
            )
        self._fields((*base, "properties"), hubspot.properties)
        if not _HUBSPOT_NAME.match(hubspot.property_group):
            self._at((*base, "property_group"), "property_group: lower-case letters, digits and _ (e.g. leadbot)")
        for name in hubspot.custom_properties:
            if not _HUBSPOT_NAME.match(name):
                self._at(
                    (*base, "custom_properties", name),
                    f"custom property {name!r}: use lower-case letters, digits and _",
                    key=True,
                )
            elif name not in hubspot.properties:
                self._at(
                    (*base, "custom_properties", name),
                    f"custom property {name!r} is created but never written: map it under properties:",
                    key=True,
                )

    def _salesforce(self, config: CrmConfig) -> None:
        salesforce = config.salesforce
        assert salesforce is not None
        base: _Path = ("salesforce",)
        if not _API_VERSION.match(salesforce.api_version):
            self._at((*base, "api_version"), f'api_version {salesforce.api_version!r}: write it like "60.0"')
        if salesforce.mode == "web_to_lead":
            if not salesforce.web_to_lead_fields:
                self._at(base, "salesforce.web_to_lead_fields: map at least last_name, email and company", key=True)
            self._fields((*base, "web_to_lead_fields"), salesforce.web_to_lead_fields)
            return
        external = salesforce.external_id
        if external is None:
            self._at(
                base,
                "salesforce.external_id: name the Lead's External ID field and its source "
                "(e.g. {field: Leadbot_Email__c, from: [contact.email, conversation_id]})",
                key=True,
            )
        else:
            self._sources((*base, "external_id"), external)
            if external.field in salesforce.fields:
                self._at(
                    (*base, "fields", external.field),
                    f"{external.field} is the external id: Salesforce refuses it in the body; remove it here",
                    key=True,
                )
        for required in _LEAD_REQUIRED:
            if required not in salesforce.fields:
                self._at(
                    (*base, "fields"),
                    f"salesforce.fields: map {required} (a Lead needs it), with a default for leads without one",
                    key=True,
                )
            elif salesforce.fields[required].default is None:
                self._at(
                    (*base, "fields", required),
                    f'{required}: give a default (e.g. default: "(not given)"); a Lead cannot be saved without it',
                    key=True,
                )
        self._fields((*base, "fields"), salesforce.fields)
