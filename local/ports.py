"""Before `make run` prints or writes anything: are the ports it will listen on free on 127.0.0.1?

A taken port used to look like success: the banner and the tokens file were written for whatever program
answered there, and the stack died 20 s later. Now the check comes first and says which port is taken, by what
when this machine tells (Linux /proc, same user), and the make variable that chooses another.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = "127.0.0.1"


def is_free(port: int) -> bool:
    """Can a server bind it? (With SO_REUSEADDR, as the servers do: a closed connection in TIME_WAIT is no
    obstacle, a listener is, whether it listens on 127.0.0.1 or on every address.)"""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
            probe.listen()
        except OSError:
            return False
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def holder(port: int) -> str | None:
    """'pid 1234 (python3 -m http.server 8000)' for the process listening on `port`, when /proc tells."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) in wanted for fd in (proc / "fd").iterdir()):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                if "local.api_server" in command or "local.run" in command:
                    return f"a running Gridloop stack (pid {proc.name})"
                return f"pid {proc.name} ({command if len(command) <= 100 else command[:97] + '...'})"
        except OSError:
            continue
    return None


def suggestion(port: int, avoid: set[int]) -> int:
    for candidate in range(port + 1, port + 200):
        if candidate not in avoid and is_free(candidate):
            return candidate
    return port + 1


def problems(ports: dict[str, int]) -> list[str]:
    """One line per taken port (empty: all free), naming the variable that moves it."""
    lines = []
    for variable, port in ports.items():
        if is_free(port):
            continue
        who = holder(port)
        alternative = suggestion(port, set(ports.values()))
        lines.append(f"Port {port} ({variable}) is already in use on {HOST}"
                     f"{f' by {who}' if who else ' by another program'}. "
                     f"Stop it, or choose another port: make run {variable}={alternative}")
    return lines
