"""The `leadbot` command line (console script `leadbot = "bot.cli:main"`, also `python -m bot`).

Kept as a package entry point so `bot.cli:main` stays stable whatever the modules inside.
"""

from bot.cli.app import main, to_csv

__all__ = ["main", "to_csv"]
