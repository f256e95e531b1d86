"""Write flows for Ferry.

    from ferry import flow, task, get_run_logger

    @task(retries=2, retry_delay_seconds=5)
    def fetch(url): ...

    @flow(name="etl", timeout_seconds=600)
    def etl(url: str = "https://example.com"):
        get_run_logger().info("fetched %d bytes", len(fetch(url)))

Tasks run in the flow's own process, one call at a time; retries, retry delays and timeouts
are applied there. ``ferry.runtime`` tells the run who it is (flow run id, deployment id,
parameters, attempt); ``emit_event`` posts the run's own events, for automations to act on.
Standard library only; see docs/python.md.
"""

from ferry import runtime
from ferry._events import emit_event
from ferry._flows import Flow, Task, TaskFuture, flow, task
from ferry._logging import get_run_logger

__all__ = ["Flow", "Task", "TaskFuture", "flow", "task", "get_run_logger", "runtime", "emit_event"]
__version__ = "0.1.0"
