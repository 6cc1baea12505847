"""`rasa` with our Rasa patches applied up front: the command `make run` and the tests start.

Same CLI as `rasa` (python -m bot.ops.rasa_server run --enable-api ...); see bot/ops/rasa_patches.py for why.
The HTTP API token comes from LEADBOT_RASA_TOKEN, never from the command line (`ps` shows that).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from rasa.__main__ import main as rasa_main

    from bot.ops.rasa_patches import apply_rasa_patches

    # The lock store of endpoints.yml applies them as well (so plain `rasa run` gets them); here an
    # unchecked Rasa is refused before the model loads.
    apply_rasa_patches()
    argv = sys.argv[1:]
    token = os.environ.get("LEADBOT_RASA_TOKEN")
    if token and "--auth-token" not in argv:
        argv += ["--auth-token", token]
    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
