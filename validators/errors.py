"""Errors that end a run with exit code 2 and a one-line reason (never a traceback)."""


class UsageError(Exception):
    """Bad command line or configuration: exit 2 with a one-line message."""


class ConfigError(UsageError):
    """A rule file or configuration file is invalid; the message names file and line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line
