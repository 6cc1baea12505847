"""`python -m bot.cli`: the same command line as `leadbot` and `python -m bot`."""

from __future__ import annotations

import sys

from bot.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
