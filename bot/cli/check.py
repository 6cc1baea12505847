"""`leadbot check`: the SLA, then the files it names (CRM field maps, routing rules), each
problem as `file:line:col: message` and a one-line summary of what is sound."""

from __future__ import annotations

import argparse
import sys

from bot.cli.routing import check_routing_of
from bot.settings import current_settings


def check_command(args: argparse.Namespace) -> int:
    from bot.sla import check_sla, load_sla
    from bot.sla.check_crm import check_crm_of
    from bot.sla.crm import crm_file_of, load_crm

    path = args.path or current_settings().sla_path
    problems = [str(problem) for problem in check_sla(path, args.domain)]
    routing_ok = None
    if not problems:  # the CRM maps and the routing rules name the SLA's criteria: check them against a sound SLA
        problems = [str(problem) for problem in check_crm_of(path)]
        routing_problems, routing_ok = check_routing_of(load_sla(path), path)
        problems += routing_problems
    for problem in problems:
        print(problem)
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    sla = load_sla(path)
    print(
        f"{path}: OK — {len(sla.questions)} questions, {len(sla.criteria)} criteria, "
        f"tiers {sla.tiers.sales_ready}/{sla.tiers.nurture}"
    )
    crm = crm_file_of(path)
    if crm is not None:
        config = load_crm(crm)
        maps = [
            f"{name} ({section.mode})"
            for name, section in (("hubspot", config.hubspot), ("salesforce", config.salesforce))
            if section
        ]
        print(f"{crm}: OK — {', '.join(maps)}")
    if routing_ok:
        print(routing_ok)
    return 0
