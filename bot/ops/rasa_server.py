"""`rasa` with our one safe speed-up applied: the command `make run` and the tests start.

Same CLI as `rasa` (python -m bot.ops.rasa_server run --enable-api ...); see bot/ops/rasa_patches.py for why.
The HTTP API token comes from LEADBOT_RASA_TOKEN, never from the command line (`ps` shows that).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot.ops.rasa_patches import cache_action_response_validator, ignore_metadata_that_is_not_an_object

    # Rasa 3.6 re-checks the action-response JSON schema itself on every action call (~45% of
    # its CPU under load); a prebuilt validator gives the same errors. Off with
    # LEADBOT_RASA_FAST_VALIDATION=false.
    cache_action_response_validator()
    ignore_metadata_that_is_not_an_object()  # a REST message with `metadata: "x"` is kept
    argv = sys.argv[1:]
    token = os.environ.get("LEADBOT_RASA_TOKEN")
    if token and "--auth-token" not in argv:
        argv += ["--auth-token", token]
    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
