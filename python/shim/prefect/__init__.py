"""Ferry's stand-in for Prefect, put first on a run's path by Ferry's runner.

A flow written for Prefect (``from prefect import flow, task, get_run_logger``) runs under a
Ferry worker as it is, with or without Prefect installed: these names are Ferry's own
(see the ferry module), so no Prefect server, API or settings are involved. Anything else
Prefect has is not here, and says so when used. docs/python.md lists what is honoured.
"""

import importlib.abc
import sys

from ferry import Flow, Task, flow, get_run_logger, task

__all__ = ["Flow", "Task", "flow", "task", "get_run_logger"]
__version__ = "0+ferry"
__ferry_shim__ = True

_PROVIDED = ("flow, task, get_run_logger, prefect.logging.get_run_logger, prefect.events.emit_event "
             "and prefect.runtime")


def _not_here(what):
    return ("%s is not available when Ferry runs this flow: Ferry stands in for Prefect with %s only "
            "(see docs/python.md)" % (what, _PROVIDED))


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(_not_here("prefect.%s" % name))


class _MissingSubmodules(importlib.abc.MetaPathFinder):
    """Turns `import prefect.blocks` into an error that says why, instead of "No module named"."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("prefect.") and fullname.split(".")[1] not in ("logging", "runtime", "events"):
            raise ModuleNotFoundError(_not_here(fullname), name=fullname)
        return None


if not any(isinstance(finder, _MissingSubmodules) for finder in sys.meta_path):
    sys.meta_path.append(_MissingSubmodules())
