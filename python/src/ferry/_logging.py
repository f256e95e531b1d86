"""get_run_logger(): a standard logging.Logger whose lines a Ferry worker ships as run logs.

Each record becomes one output line that starts with its level (``INFO | ...``): a run log
line has a timestamp, a stream and a message, and the level travels in the message, so
``ferry flow-run logs`` and the web UI show it as written. INFO goes to stdout; WARNING and
above to stderr, where the last lines also become a failed run's state message.
"""

import logging
import os
import sys
import threading

__all__ = ["get_run_logger", "LOGGER_NAME", "FORMAT"]

LOGGER_NAME = "ferry.run"
FORMAT = "%(levelname)s | %(message)s"
LEVEL_VARIABLE = "FERRY_LOG_LEVEL"

_configured = threading.Lock()
_handlers = []


class _StreamByLevel(logging.StreamHandler):
    """Looks the stream up on every record, so a redirected sys.stdout (a test, a notebook) is honoured."""

    def __init__(self, below_warning):
        logging.StreamHandler.__init__(self)
        self.below_warning = below_warning
        self.addFilter(lambda record: (record.levelno < logging.WARNING) == below_warning)

    @property
    def stream(self):
        return sys.stdout if self.below_warning else sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # StreamHandler.__init__ assigns one; the property above decides


def get_run_logger():
    """The run's logger: DEBUG and up are accepted, INFO and up shipped unless FERRY_LOG_LEVEL says otherwise."""
    logger = logging.getLogger(LOGGER_NAME)
    with _configured:
        if not _handlers:
            formatter = logging.Formatter(FORMAT)
            for below_warning in (True, False):
                handler = _StreamByLevel(below_warning)
                handler.setFormatter(formatter)
                logger.addHandler(handler)
                _handlers.append(handler)
            # Lines already reach the run's output; handing them to the root logger too would
            # print them twice when the flow configures logging for itself.
            logger.propagate = False
        logger.setLevel(_level())
    return logger


def _level():
    configured = os.environ.get(LEVEL_VARIABLE, "").strip().upper()
    if not configured:
        return logging.INFO
    level = logging.getLevelName(configured)
    if isinstance(level, int):
        return level
    if configured.isdigit():
        return int(configured)
    sys.stderr.write("WARNING | %s=%r is not a logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL); using INFO\n"
                     % (LEVEL_VARIABLE, configured))
    return logging.INFO
