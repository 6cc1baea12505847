"""Routing: which rep a handoff goes to (`routing.yml`): reps, pools, ordered rules, hours.

Pure apart from reading its file: `engine` plans a decision at a given instant, `check` loads
and checks the file, `hours` reads working hours per time zone, `facts` the lead's fields.
"""

from bot.routing.check import RoutingError, check_routing, current_routing, load_routing, routing_path
from bot.routing.engine import OwnerLookup, plan_reassignment, plan_route
from bot.routing.facts import lead_facts
from bot.routing.model import RoutingConfig

__all__ = [
    "OwnerLookup",
    "RoutingConfig",
    "RoutingError",
    "check_routing",
    "current_routing",
    "lead_facts",
    "load_routing",
    "plan_reassignment",
    "plan_route",
    "routing_path",
]
