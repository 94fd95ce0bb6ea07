"""What a run shows on an interactive terminal (never in a pipe or a CI log)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def progress_printer() -> Callable[[int, int], None] | None:
    """A ``progress(done, total)`` callback that updates one stderr line, or None when stderr is
    not a terminal."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\rchecked {done}/{total} files{end}")
            sys.stderr.flush()

    return progress


def announce_executor(executor: Any) -> None:
    """The Dask scheduler's dashboard, for someone watching a terminal (never in a report)."""
    link = getattr(executor, "dashboard_link", None)
    if link is None or not sys.stderr.isatty():
        return
    url = link()
    client = getattr(executor, "client", None)
    address = getattr(getattr(client, "scheduler", None), "address", "")
    sys.stderr.write(f"corpus-validate: dask dashboard: {url}\n" if url else
                     f"corpus-validate: dask scheduler {address} (dashboard: install bokeh>=3.1 "
                     "on the scheduler)\n")
