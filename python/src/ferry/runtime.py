"""What the worker told this run, from its FERRY_* environment: ``ferry.runtime.flow_run_id`` and so on.

Read on every access, not at import, so a value is never stale. Outside a Ferry run the ids
are None, ``parameters`` is {} and ``attempt`` is 1.
"""

import json
import os

__all__ = ["flow_run_id", "deployment_id", "parameters", "attempt", "api_url"]


def _text(name):
    value = os.environ.get(name, "").strip()
    return value or None


def _parameters():
    raw = os.environ.get("FERRY_PARAMETERS", "").strip()
    if not raw:
        return {}
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


def _attempt():
    raw = os.environ.get("FERRY_FLOW_RUN_ATTEMPT", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


_READERS = {
    "flow_run_id": lambda: _text("FERRY_FLOW_RUN_ID"),
    "deployment_id": lambda: _text("FERRY_DEPLOYMENT_ID"),
    "parameters": _parameters,
    "attempt": _attempt,
    "api_url": lambda: _text("FERRY_API_URL"),
}


def __getattr__(name):
    reader = _READERS.get(name)
    if reader is None:
        raise AttributeError("ferry.runtime has no %r; it has %s" % (name, ", ".join(sorted(_READERS))))
    return reader()


def __dir__():
    return sorted(list(_READERS) + ["__doc__", "__name__"])
