"""Who listens on which TCP address, read from /proc (Linux): the port checks and the exposure test.

`/proc/net/tcp{,6}` gives the listening sockets, `/proc/PID/fd` which process holds each.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

_LISTEN = "0A"


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    inode: int

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback


def listeners() -> list[Listener]:
    found = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != _LISTEN:
                continue
            hex_address, hex_port = fields[1].split(":")
            found.append(Listener(_address(hex_address, size), int(hex_port, 16), int(fields[9])))
    return found


def _address(hex_address: str, size: int) -> str:
    raw = bytes.fromhex(hex_address)
    # The kernel prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
    address = ipaddress.ip_address(words)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets a process holds open (empty if it is gone or not ours to read)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with_target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if with_target.startswith("socket:["):
                inodes.add(int(with_target[8:-1]))
    except OSError:
        pass
    return inodes


def holder_of(port: int) -> str | None:
    """`pid N (command)` of a process listening on `port`, when one can be found."""
    inodes = {listener.inode for listener in listeners() if listener.port == port}
    if not inodes:
        return None
    for entry in os.listdir("/proc"):
        if entry.isdigit() and socket_inodes(int(entry)) & inodes:
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                command = "?"
            return f"pid {entry} ({command[:80]})"
    return "a process this user cannot see"


def port_in_use(port: int) -> bool:
    return any(listener.port == port for listener in listeners())
