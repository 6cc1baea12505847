"""Insights for marketing and sales: SLA health and the what-if, computed over the leads database.

Sits on storage and the conversation's reading; the CLI and the future web console both call it.
"""

from bot.insights.health import Health, sla_health
from bot.insights.whatif import WhatIf, simulate

__all__ = ["Health", "WhatIf", "simulate", "sla_health"]
