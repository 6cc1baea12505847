"""`python -m bot.ops COMMAND`: the processes ops runs, one entry point.

`local` is `make run`, `production` is `make run-prod`; `rasa`, `actions` and `worker` are the
production topology's own processes (started by `ProductionStack`, not by hand).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bot.ops", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("local", "production", "rasa", "actions", "worker"))
    parser.add_argument("--port", type=int, help="rasa / actions: the port to listen on")
    known, rest = parser.parse_known_args(argv)
    if known.command == "local":
        from bot.ops.local import main as local

        return local(rest)
    if known.command == "production":
        from bot.ops.production import main as production

        return production(rest)
    from bot.ops import processes

    if known.command == "worker":
        return processes.run_worker()
    if known.port is None:
        parser.error(f"{known.command} needs --port")
    return processes.run_rasa(known.port) if known.command == "rasa" else processes.run_actions(known.port)


if __name__ == "__main__":
    raise SystemExit(main())
