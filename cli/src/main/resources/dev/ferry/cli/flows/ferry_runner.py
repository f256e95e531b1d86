"""Runs one Ferry flow: python3 ferry_runner.py path/to/file.py:function

The worker starts this script for every flow run, in the run's working directory.
Parameters come from the FERRY_PARAMETERS environment variable (a JSON object) and
are passed to the function by name. Exit code 0 means COMPLETED; anything else
FAILED, with the first stderr line saying why in words a flow author can act on.

Python 3.8+, standard library only: this runs in whatever interpreter the user's
flow needs, and must not add imports of its own to that environment. What it adds to the
path instead is lib/ beside it, the `ferry` module (@flow, @task, get_run_logger, runtime),
and shim/, a stand-in `prefect` package that maps Prefect's flow/task/get_run_logger onto it,
so a flow written for Prefect runs without a Prefect server, installed or not.
FERRY_PREFECT=installed leaves shim/ out, for flows that need the real Prefect.
"""

import asyncio
import importlib.util
import inspect
import json
import os
import sys
import traceback

# A name that is not __main__, so `if __name__ == "__main__":` blocks in the flow file
# (the usual "run it by hand" code) do not fire when a worker runs the flow.
MODULE_NAME = "__ferry_flow__"

USAGE = "usage: ferry_runner.py path/to/file.py:function"

_RUNNER_FILE = os.path.abspath(__file__)
_RUNNER_DIR = os.path.dirname(_RUNNER_FILE)
_LIB_DIR = os.path.join(_RUNNER_DIR, "lib")
_SHIM_DIR = os.path.join(_RUNNER_DIR, "shim")
_ASYNCIO_DIR = os.path.dirname(os.path.abspath(asyncio.__file__))


class Failure(Exception):
    """A failure the runner explains in one line; show_traceback adds the cause's traceback."""

    def __init__(self, message, show_traceback=False, exit_code=1):
        Exception.__init__(self, message)
        self.message = message
        self.show_traceback = show_traceback
        self.exit_code = exit_code


def main(argv):
    _line_buffered_output()
    if len(argv) != 2:
        _say(USAGE)
        return 2
    try:
        path, function_name = _split_entrypoint(argv[1])
        parameters = _parameters()
        module = _load(path)
        function = _lookup(module, path, function_name)
        args, kwargs = _arguments(function, function_name, parameters)
        _call(function, function_name, args, kwargs)
    except Failure as failure:
        _say(failure.message)
        if failure.show_traceback and failure.__cause__ is not None:
            _print_user_traceback(failure.__cause__)
        return failure.exit_code
    except KeyboardInterrupt:
        _say("flow interrupted")
        return 130
    return 0


def _line_buffered_output():
    # Pipes are block-buffered by default, and the worker ships each line as a log the
    # moment it arrives; without this a run's output would show up only at exit.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(line_buffering=True)
            except (ValueError, OSError):
                pass
    # Python subprocesses the flow starts inherit this, so their output streams live too.
    os.environ.setdefault("PYTHONUNBUFFERED", "1")


def _split_entrypoint(entrypoint):
    path, sep, function_name = entrypoint.rpartition(":")
    if not sep or not path or not function_name.isidentifier():
        raise Failure("entrypoint '%s' must look like path/to/file.py:function_name" % entrypoint)
    return path, function_name


def _parameters():
    raw = os.environ.get("FERRY_PARAMETERS")
    if raw is None or not raw.strip():
        return {}
    try:
        parameters = json.loads(raw)
    except ValueError as e:
        raise Failure("FERRY_PARAMETERS is not valid JSON (%s)" % e)
    if not isinstance(parameters, dict):
        raise Failure("FERRY_PARAMETERS must be a JSON object of parameter names to values, got %s"
                      % type(parameters).__name__)
    return parameters


def _load(path):
    if not os.path.exists(path):
        raise Failure("flow file '%s' not found (cwd %s)" % (path, os.getcwd()))
    if os.path.isdir(path):
        raise Failure("flow file '%s' is a directory, expected a .py file (cwd %s)" % (path, os.getcwd()))

    flow_dir = os.path.dirname(os.path.abspath(path))
    # Python put this runner's own (cache) directory first; the flow's directory belongs
    # there instead, so `import helpers` finds flows/helpers.py as it does when the user
    # runs `python flows/my_flow.py`. The working directory (usually the project root)
    # follows, so package-style imports such as `from flows.helpers import x` work too.
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == _RUNNER_DIR:
        del sys.path[0]
    # shim/ goes first of all: its `prefect` must shadow a real Prefect in the flow's
    # environment, whose flow decorator would start a temporary Prefect server in every run.
    entries = [os.getcwd(), flow_dir, _LIB_DIR]
    if os.environ.get("FERRY_PREFECT", "").strip().lower() != "installed":
        entries.append(_SHIM_DIR)
    for entry in entries:
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)

    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise Failure("cannot import '%s' as Python source; the entrypoint file must end in .py" % path)
    module = importlib.util.module_from_spec(spec)
    # Registered before executing, as a real import does: dataclasses, pickle and
    # typing.get_type_hints look the module up by name while the file runs.
    sys.modules[MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise Failure(_syntax_error_line(path, e), show_traceback=True) from e
    except KeyboardInterrupt:
        raise
    except SystemExit as e:
        raise Failure("%s called sys.exit(%r) while being imported, before the flow function ran"
                      % (path, e.code)) from e
    except BaseException as e:
        raise Failure("importing %s failed: %s" % (path, _describe(e)), show_traceback=True) from e
    return module


def _syntax_error_line(path, error):
    where = " line %d" % error.lineno if error.lineno else ""
    # An error inside a module the flow imports names that module's file, not the flow's.
    where_file = path
    if error.filename and os.path.abspath(error.filename) != os.path.abspath(path):
        where_file = error.filename
    return "syntax error in %s%s: %s" % (where_file, where, error.msg)


def _lookup(module, path, function_name):
    if not hasattr(module, function_name):
        found = _functions_in(module)
        raise Failure("function '%s' not found in %s; found: %s"
                      % (function_name, path, ", ".join(found) if found else "no functions"))
    function = getattr(module, function_name)
    if not callable(function):
        raise Failure("'%s' in %s is not a function (found a value of type %s)"
                      % (function_name, path, type(function).__name__))
    return function


def _functions_in(module):
    names = []
    for name, value in vars(module).items():
        if name.startswith("__"):
            continue
        # Decorators such as @flow wrap the function; functools.wraps leaves it in __wrapped__.
        target = getattr(value, "__wrapped__", value)
        if inspect.isfunction(target) and getattr(target, "__module__", None) == MODULE_NAME:
            names.append(name)
    return names


def _arguments(function, function_name, parameters):
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        # Some callables (builtins, C extensions) have no signature; let the call decide.
        return [], dict(parameters)

    args, kwargs = [], dict(parameters)
    # Parameters arrive by name, but a positional-only one (def f(a, /)) cannot be passed
    # by name; hand those over positionally, in order, for as long as they are given.
    for parameter in signature.parameters.values():
        if parameter.kind is not inspect.Parameter.POSITIONAL_ONLY or parameter.name not in kwargs:
            break
        args.append(kwargs.pop(parameter.name))

    # Checked before the call so that a TypeError raised inside the flow is never
    # mistaken for a parameter mismatch (or the other way round).
    try:
        signature.bind(*args, **kwargs)
    except TypeError as e:
        raise Failure("parameters %s do not fit %s%s: %s"
                      % (_names(parameters), function_name, signature, e))
    return args, kwargs


def _names(parameters):
    if not parameters:
        return "(none given)"
    return "{%s}" % ", ".join(sorted(parameters))


def _call(function, function_name, args, kwargs):
    try:
        if inspect.iscoroutinefunction(function):
            asyncio.run(function(*args, **kwargs))
        else:
            result = function(*args, **kwargs)
            if inspect.isawaitable(result):
                asyncio.run(_await(result))
    except KeyboardInterrupt:
        raise
    except SystemExit as e:
        # sys.exit() inside a flow is the author choosing an exit code; honour it.
        if e.code is None or e.code == 0:
            return
        if isinstance(e.code, int):
            raise Failure("flow %s called sys.exit(%d)" % (function_name, e.code), exit_code=e.code)
        raise Failure("flow %s exited: %s" % (function_name, e.code))
    except BaseException as e:
        raise Failure("flow %s failed: %s" % (function_name, _describe(e)), show_traceback=True) from e


async def _await(awaitable):
    # asyncio.run accepts only coroutines; a callable may return any awaitable (a Future, a Task-like object).
    return await awaitable


def _describe(error):
    text = str(error)
    first_line = text.splitlines()[0] if text else ""
    name = type(error).__name__
    return "%s: %s" % (name, first_line) if first_line else name


def _print_user_traceback(error):
    # The runner's, importlib's and asyncio's frames say nothing to the flow author;
    # start the traceback at their own code.
    tb = error.__traceback__
    while tb is not None and _is_machinery(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    if tb is None:
        # Nothing of theirs ran (a syntax error in the flow file): the offending line and
        # its caret are all there is to show.
        sys.stderr.write("".join(traceback.format_exception_only(type(error), error)))
    else:
        traceback.print_exception(type(error), error, tb, file=sys.stderr)


def _is_machinery(filename):
    if filename.startswith("<frozen importlib"):
        return True
    absolute = os.path.abspath(filename)
    return absolute == _RUNNER_FILE or os.path.dirname(absolute) == _ASYNCIO_DIR


def _say(message):
    sys.stdout.flush()
    sys.stderr.write("ferry: %s\n" % message)
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
