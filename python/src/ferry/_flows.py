"""@flow and @task: plain functions with a name, retries and a timeout, run in this process.

Ferry orchestrates whole flow runs (queued, claimed, retried, cancelled by the server); inside
a run, tasks are ordinary function calls. Nothing here talks to a server, so a flow file runs
the same under a worker, by hand, and in a test.
"""

import asyncio
import functools
import inspect
import signal
import threading
import time

from ferry._logging import get_run_logger

__all__ = ["Flow", "Task", "TaskFuture", "flow", "task"]


class Flow:
    """A flow function with the settings its decorator gave.

    ``retries`` and ``retry_delay_seconds`` are not applied here: ``ferry deploy`` reads them
    from the source and the server retries the whole run (a new attempt, AwaitingRetry), as it
    does for a deployment's --retries. ``timeout_seconds`` is applied to each call.
    """

    def __init__(self, fn, name=None, description=None, retries=None, retry_delay_seconds=None,
                 timeout_seconds=None, version=None, **ignored):
        if not callable(fn):
            raise TypeError("@flow decorates a function, got %s" % type(fn).__name__)
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__.replace("_", "-")
        self.description = description or inspect.getdoc(fn)
        self.retries = retries
        self.retry_delay_seconds = retry_delay_seconds
        self.timeout_seconds = timeout_seconds
        self.version = version
        self.ignored_options = dict(ignored)
        self.isasync = inspect.iscoroutinefunction(fn)

    def __call__(self, *args, **kwargs):
        what = "flow %s" % self.name
        if self.isasync:
            return _call_async(self.fn, args, kwargs, self.timeout_seconds, what)
        return _call_sync(self.fn, args, kwargs, self.timeout_seconds, what)

    def with_options(self, **changes):
        options = dict(name=self.name, description=self.description, retries=self.retries,
                       retry_delay_seconds=self.retry_delay_seconds, timeout_seconds=self.timeout_seconds,
                       version=self.version)
        options.update(changes)
        return Flow(self.fn, **options)

    def serve(self, *args, **kwargs):
        raise NotImplementedError("%s.serve(): Ferry runs flows from deployments; use "
                                  "`ferry deploy path/to/file.py:%s -n NAME -p POOL` and a `ferry worker`"
                                  % (self.__name__, self.__name__))

    deploy = serve
    to_deployment = serve

    def __repr__(self):
        return "Flow(name=%r)" % self.name


class Task:
    """A task function: each call runs it here and now, retried in this process on an exception."""

    def __init__(self, fn, name=None, description=None, retries=0, retry_delay_seconds=0,
                 timeout_seconds=None, **ignored):
        if not callable(fn):
            raise TypeError("@task decorates a function, got %s" % type(fn).__name__)
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or inspect.getdoc(fn)
        self.retries = int(retries or 0)
        if self.retries < 0:
            raise ValueError("task %s: retries must be 0 or more, got %r" % (self.name, retries))
        self.retry_delay_seconds = retry_delay_seconds
        self.timeout_seconds = timeout_seconds
        self.ignored_options = dict(ignored)
        self.isasync = inspect.iscoroutinefunction(fn)

    def __call__(self, *args, **kwargs):
        if self.isasync:
            return self._run_async(args, kwargs)
        return self._run_sync(args, kwargs)

    def submit(self, *args, **kwargs):
        """Runs the task now and returns its outcome as a future; an exception is kept, not raised.

        An async task is scheduled on the running event loop instead, and its asyncio future returned.
        """
        if self.isasync:
            return asyncio.ensure_future(self._run_async(args, kwargs))
        try:
            return TaskFuture(self.name, result=self._run_sync(args, kwargs))
        except Exception as error:
            return TaskFuture(self.name, error=error)

    def map(self, *iterables, **kwargs):
        """One submit per item: ``task.map([1, 2, 3])`` or ``task.map(xs, ys)`` zipped."""
        return [self.submit(*args, **kwargs) for args in zip(*iterables)]

    def with_options(self, **changes):
        options = dict(name=self.name, description=self.description, retries=self.retries,
                       retry_delay_seconds=self.retry_delay_seconds, timeout_seconds=self.timeout_seconds)
        options.update(changes)
        return Task(self.fn, **options)

    def _run_sync(self, args, kwargs):
        what = "task %s" % self.name
        attempt = 0
        while True:
            try:
                return _call_sync(self.fn, args, kwargs, self.timeout_seconds, what)
            except Exception as error:
                if attempt >= self.retries:
                    raise
                delay = self._delay(attempt)
                self._say_retry(attempt, error, delay)
                time.sleep(delay)
                attempt += 1

    async def _run_async(self, args, kwargs):
        what = "task %s" % self.name
        attempt = 0
        while True:
            try:
                return await _call_async(self.fn, args, kwargs, self.timeout_seconds, what)
            except Exception as error:
                if attempt >= self.retries:
                    raise
                delay = self._delay(attempt)
                self._say_retry(attempt, error, delay)
                await asyncio.sleep(delay)
                attempt += 1

    def _delay(self, attempt):
        delay = self.retry_delay_seconds
        if isinstance(delay, (list, tuple)):
            # Prefect's form: one delay per retry, the last one repeated.
            delay = delay[min(attempt, len(delay) - 1)] if delay else 0
        return max(float(delay or 0), 0.0)

    def _say_retry(self, attempt, error, delay):
        get_run_logger().warning("task %s failed (%s: %s); retry %d of %d in %g s",
                                 self.name, type(error).__name__, error, attempt + 1, self.retries, delay)

    def __repr__(self):
        return "Task(name=%r)" % self.name


class TaskFuture:
    """The outcome of ``Task.submit``: already final, since the task ran when it was submitted."""

    def __init__(self, task_name, result=None, error=None):
        self.task_name = task_name
        self._result = result
        self._error = error

    def result(self, timeout=None, raise_on_failure=True):
        if self._error is not None:
            if raise_on_failure:
                raise self._error
            return self._error
        return self._result

    def wait(self, timeout=None):
        return None

    def done(self):
        return True

    def exception(self, timeout=None):
        return self._error

    def __repr__(self):
        return "TaskFuture(%r, %s)" % (self.task_name, "failed" if self._error is not None else "completed")


def flow(fn=None, **options):
    """``@flow`` or ``@flow(name=..., description=..., retries=..., retry_delay_seconds=..., timeout_seconds=...)``."""
    if fn is None:
        return lambda f: Flow(f, **options)
    return Flow(fn, **options)


def task(fn=None, **options):
    """``@task`` or ``@task(name=..., retries=..., retry_delay_seconds=..., timeout_seconds=...)``."""
    if fn is None:
        return lambda f: Task(f, **options)
    return Task(fn, **options)


def _call_sync(fn, args, kwargs, timeout, what):
    if not timeout:
        return fn(*args, **kwargs)
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _call_with_alarm(fn, args, kwargs, float(timeout), what)
    return _call_in_thread(fn, args, kwargs, float(timeout), what)


def _call_with_alarm(fn, args, kwargs, timeout, what):
    # SIGALRM interrupts the function wherever it is (a sleep, a loop in Python code), which a
    # thread-based timeout cannot do. An enclosing timeout (a flow's around a task's) keeps its
    # own deadline: it is put back, less the time spent here, when this call ends.
    started = time.monotonic()
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_left and outer_left <= timeout:
        return fn(*args, **kwargs)  # the enclosing deadline comes first and will fire

    def expire(signum, frame):
        raise TimeoutError("%s timed out after %g s (timeout_seconds)" % (what, timeout))

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))


def _call_in_thread(fn, args, kwargs, timeout, what):
    # Off the main thread no signal can interrupt the call: it runs on a thread of its own, and
    # after the timeout the caller moves on while that thread is left to finish in the background.
    outcome = {}

    def target():
        try:
            outcome["result"] = fn(*args, **kwargs)
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=target, name="ferry-" + what.replace(" ", "-"), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError("%s timed out after %g s (timeout_seconds)" % (what, timeout))
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


async def _call_async(fn, args, kwargs, timeout, what):
    if not timeout:
        return await fn(*args, **kwargs)
    try:
        return await asyncio.wait_for(fn(*args, **kwargs), float(timeout))
    except asyncio.TimeoutError:
        raise TimeoutError("%s timed out after %g s (timeout_seconds)" % (what, float(timeout))) from None
