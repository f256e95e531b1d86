"""prefect.logging under Ferry: get_run_logger (and get_logger) are Ferry's run logger."""

from ferry import get_run_logger

__all__ = ["get_run_logger", "get_logger"]


def get_logger(name=None):
    return get_run_logger()
