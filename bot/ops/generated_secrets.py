"""Secrets leadbot makes itself on first start, kept in a dotenv file only its owner can read.

Production keeps them in `<var>/secrets.env`, `make run` in `.env`: one way to make and keep them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import env_file_values


@dataclass
class Secrets:
    values: dict[str, str] = field(default_factory=dict)
    generated: list[str] = field(default_factory=list)  # the variables made just now


def ensure_secrets(variables: Iterable[str], known: Mapping[str, str], file: Path) -> Secrets:
    """Each variable's value: from `known` (the environment), else from `file`, else a new random
    one appended to `file` (created 0600; an existing file keeps its mode and its other lines)."""
    stored = env_file_values(file)
    found = Secrets()
    new: dict[str, str] = {}
    for variable in variables:
        value = known.get(variable) or stored.get(variable)
        if not value:
            value = new[variable] = secrets.token_hex(24)
            found.generated.append(variable)
        found.values[variable] = value
    if new:
        file.parent.mkdir(parents=True, exist_ok=True)
        missing_newline = file.exists() and file.stat().st_size and not file.read_bytes().endswith(b"\n")
        with open(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as out:
            out.write("\n" if missing_newline else "")
            out.writelines(f"{k}={v}\n" for k, v in new.items())
    return found
