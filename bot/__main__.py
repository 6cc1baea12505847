"""`python -m bot`: the same command line as the `leadbot` console script.

Kept separate from `bot/cli/` so importing the CLI never runs it.
"""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
