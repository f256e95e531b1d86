"""prefect.runtime.flow_run under Ferry: id, parameters, run_count, deployment_id."""

from ferry import runtime as _runtime

_NAMES = {
    "id": lambda: _runtime.flow_run_id,
    "parameters": lambda: _runtime.parameters,
    "run_count": lambda: _runtime.attempt,
    "deployment_id": lambda: _runtime.deployment_id,
}


def __getattr__(name):
    if name in _NAMES:
        return _NAMES[name]()
    raise AttributeError("prefect.runtime.flow_run.%s is not available under Ferry; it has %s"
                         % (name, ", ".join(sorted(_NAMES))))
