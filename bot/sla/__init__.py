"""The SLA: marketing's definition of a qualified lead (`sla.yml`), loaded, checked, hot-reloaded.

`model` holds the typed models and `rule_for`; `marks` the line-aware YAML; `load` and
`examples` the loading; `check` the `leadbot check` semantics; `reload` the current SLA.
"""

from bot.sla.check import check_sla
from bot.sla.examples import example_paths
from bot.sla.load import load_sla
from bot.sla.model import (
    BUILT_IN,
    EXAMPLE_CLASSES,
    SIGNALS,
    SLA,
    TYPES,
    WHEN_KINDS,
    Button,
    CriterionSpec,
    ExtraCriterion,
    FollowUp,
    Problem,
    Question,
    Rule,
    SLAError,
    Tiers,
    rule_for,
    when_kinds,
)
from bot.sla.reload import SLAStore, current_sla

__all__ = [
    "BUILT_IN",
    "EXAMPLE_CLASSES",
    "SIGNALS",
    "SLA",
    "TYPES",
    "WHEN_KINDS",
    "Button",
    "CriterionSpec",
    "ExtraCriterion",
    "FollowUp",
    "Problem",
    "Question",
    "Rule",
    "SLAError",
    "SLAStore",
    "Tiers",
    "check_sla",
    "current_sla",
    "example_paths",
    "load_sla",
    "rule_for",
    "when_kinds",
]
