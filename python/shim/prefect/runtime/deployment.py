"""prefect.runtime.deployment under Ferry: id and parameters (the run's)."""

from ferry import runtime as _runtime

_NAMES = {
    "id": lambda: _runtime.deployment_id,
    "parameters": lambda: _runtime.parameters,
}


def __getattr__(name):
    if name in _NAMES:
        return _NAMES[name]()
    raise AttributeError("prefect.runtime.deployment.%s is not available under Ferry; it has %s"
                         % (name, ", ".join(sorted(_NAMES))))
