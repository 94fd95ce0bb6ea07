"""What a run shows a person at a terminal: progress bars and notes on stderr, colour on stdout.

Nothing here ever reaches a pipe, a file or a CI log unasked: the progress bars appear only when
stderr is a terminal, colour only when the report goes to a terminal (``--color always`` forces
it, ``--color never`` and the ``NO_COLOR`` convention of https://no-color.org turn it off).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

COLOR_CHOICES = ("auto", "always", "never")
# what each stage of a run is called on its bar, and what it counts
STAGES: dict[str, tuple[str, str]] = {
    "files": ("checking files", "file"),
    "corpus": ("corpus-wide rules", "rule"),
}
BAR_DELAY = 0.5    # seconds before a bar appears: a quick run shows none
BAR_REFRESH = 0.2  # seconds between two redraws of a bar at most


def wants_color(stream: TextIO, choice: str = "auto") -> bool:
    """Whether to colour what goes to ``stream``: ``always``/``never`` as asked; ``auto``: not
    with ``NO_COLOR`` set (to anything but ""), yes with ``FORCE_COLOR`` set (not "0"), else
    only a terminal that is not ``TERM=dumb``."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return is_terminal(stream)


class ProgressBars:
    """``progress(done, total, stage="files", item="")``: one tqdm bar per stage on stderr, shown
    after :data:`BAR_DELAY` seconds and erased when the stage ends (the report stays clean).
    ``item`` names what is being worked on (the corpus-wide rule that runs now)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None
        self._stage = ""

    def __call__(self, done: int, total: int, stage: str = "files", item: str = "") -> None:
        if self._bar is None or stage != self._stage:
            self.close()
            from tqdm import tqdm

            label, unit = STAGES.get(stage, (stage, "step"))
            self._bar = tqdm(total=total, desc=label, unit=unit, file=self._stream, leave=False,
                             delay=BAR_DELAY, dynamic_ncols=True, mininterval=BAR_REFRESH)
            self._stage = stage
        bar = self._bar
        if item:
            bar.set_postfix_str(item, refresh=False)
        bar.update(done - bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._stage = ""


def progress_printer() -> ProgressBars | None:
    """The progress callback of a run, or None when stderr is not a terminal (a pipe, a CI log,
    pre-commit's captured output) or tqdm is missing."""
    if not is_terminal(sys.stderr):
        return None
    try:
        import tqdm  # noqa: F401 - a dependency; without it, no bar rather than a crash
    except ImportError:
        return None
    return ProgressBars(sys.stderr)


def is_terminal(stream: TextIO) -> bool:
    """A terminal that can draw (not ``TERM=dumb``); a closed stream is none."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
    except ValueError:
        return False


@contextlib.contextmanager
def progress_bars() -> Iterator[ProgressBars | None]:
    """:func:`progress_printer` that erases its bar on the way out, also when the run fails or
    is interrupted (so the one-line error starts on a clean line)."""
    bars = progress_printer()
    try:
        yield bars
    finally:
        if bars is not None:
            bars.close()


def counts(summary: dict[str, Any]) -> str:
    """``17 finding(s) (3 error(s), 14 warning(s), 0 info) in 5 document(s)``."""
    sev = summary["by_severity"]
    return (f"{summary['findings']} finding(s) ({sev['error']} error(s), {sev['warning']} "
            f"warning(s), {sev['info']} info) in {summary['documents']} document(s)")


def report_written(what: str, path: Path, summary: dict[str, Any]) -> str:
    """The stderr line of ``--output``/``--html``: the terminal would otherwise show nothing."""
    return f"corpus-validate: wrote the {what} to {path}: {counts(summary)}"


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
