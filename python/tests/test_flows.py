import asyncio
import io
import threading
import time
import unittest
from contextlib import redirect_stderr

from ferry import flow, task


class FlowTest(unittest.TestCase):
    def test_a_flow_is_its_function_with_a_name_and_the_docstring_as_description(self):
        @flow
        def my_etl(x, y=1):
            """Adds."""
            return x + y

        self.assertEqual(my_etl(2, y=3), 5)
        self.assertEqual(my_etl.name, "my-etl")
        self.assertEqual(my_etl.description, "Adds.")
        self.assertEqual(my_etl.__name__, "my_etl")

    def test_decorator_options_are_kept(self):
        @flow(name="Nightly", description="Loads.", retries=3, retry_delay_seconds=5, timeout_seconds=60,
              log_prints=True)
        def nightly():
            """Not the description."""

        self.assertEqual((nightly.name, nightly.description, nightly.retries, nightly.retry_delay_seconds,
                          nightly.timeout_seconds), ("Nightly", "Loads.", 3, 5, 60))
        self.assertEqual(nightly.ignored_options, {"log_prints": True})

    def test_flow_retries_are_left_to_the_server(self):
        calls = []

        @flow(retries=5)
        def failing():
            calls.append(1)
            raise ValueError("no")

        with self.assertRaises(ValueError):
            failing()
        self.assertEqual(len(calls), 1)

    def test_an_async_flow_returns_a_coroutine_to_run(self):
        @flow
        async def later(x):
            await asyncio.sleep(0)
            return x * 2

        self.assertEqual(asyncio.run(later(21)), 42)

    def test_a_sync_flow_over_its_timeout_raises_timeout_error(self):
        @flow(timeout_seconds=0.2)
        def slow():
            time.sleep(5)

        started = time.monotonic()
        with self.assertRaisesRegex(TimeoutError, "flow slow timed out after 0.2 s"):
            slow()
        self.assertLess(time.monotonic() - started, 2)

    def test_an_async_flow_over_its_timeout_raises_timeout_error(self):
        @flow(timeout_seconds=0.2)
        async def slow():
            await asyncio.sleep(5)

        with self.assertRaisesRegex(TimeoutError, "flow slow timed out"):
            asyncio.run(slow())

    def test_serve_points_at_ferry_deploy(self):
        @flow
        def served():
            pass

        with self.assertRaisesRegex(NotImplementedError, "ferry deploy"):
            served.serve(name="x")


class TaskTest(unittest.TestCase):
    def test_a_task_is_retried_in_process_until_it_succeeds(self):
        calls = []

        @task(retries=2, retry_delay_seconds=0)
        def flaky():
            calls.append(1)
            if len(calls) < 3:
                raise ConnectionError("try again")
            return "ok"

        with redirect_stderr(io.StringIO()) as err:
            self.assertEqual(flaky(), "ok")
        self.assertEqual(len(calls), 3)
        self.assertIn("WARNING | task flaky failed (ConnectionError: try again); retry 1 of 2 in 0 s", err.getvalue())

    def test_the_last_error_is_raised_when_retries_run_out(self):
        @task(retries=1)
        def broken():
            raise KeyError("gone")

        with redirect_stderr(io.StringIO()):
            with self.assertRaises(KeyError):
                broken()

    def test_retry_delay_seconds_waits_between_attempts_and_a_list_gives_one_per_retry(self):
        @task(retries=3, retry_delay_seconds=[0.05, 0.1])
        def broken():
            raise ValueError

        self.assertEqual([broken._delay(i) for i in range(3)], [0.05, 0.1, 0.1])
        started = time.monotonic()
        with redirect_stderr(io.StringIO()):
            with self.assertRaises(ValueError):
                broken()
        self.assertGreaterEqual(time.monotonic() - started, 0.25)

    def test_an_async_task_is_awaited_and_retried(self):
        calls = []

        @task(retries=1)
        async def flaky(x):
            calls.append(x)
            if len(calls) == 1:
                raise RuntimeError("first")
            return x + 1

        @flow
        async def parent():
            return await flaky(1)

        with redirect_stderr(io.StringIO()):
            self.assertEqual(asyncio.run(parent()), 2)
        self.assertEqual(calls, [1, 1])

    def test_a_task_timeout_is_retried_like_any_failure(self):
        calls = []

        @task(retries=1, timeout_seconds=0.1)
        def sometimes_slow():
            calls.append(1)
            if len(calls) == 1:
                time.sleep(5)
            return "fast"

        with redirect_stderr(io.StringIO()):
            self.assertEqual(sometimes_slow(), "fast")

    def test_a_task_timeout_inside_a_flow_timeout_keeps_the_flows_deadline(self):
        @task(timeout_seconds=5)
        def quick():
            return 1

        @flow(timeout_seconds=0.3)
        def outer():
            quick()
            time.sleep(5)

        started = time.monotonic()
        with self.assertRaisesRegex(TimeoutError, "flow outer"):
            outer()
        self.assertLess(time.monotonic() - started, 2)

    def test_off_the_main_thread_a_timeout_still_returns_control(self):
        @task(timeout_seconds=0.2)
        def slow():
            time.sleep(2)

        errors = []
        thread = threading.Thread(target=lambda: errors.append(_raised(slow)))
        thread.start()
        thread.join(5)
        self.assertIsInstance(errors[0], TimeoutError)

    def test_submit_and_map_run_now_and_hand_back_futures(self):
        @task
        def square(x):
            if x < 0:
                raise ValueError("negative")
            return x * x

        self.assertEqual(square.submit(3).result(), 9)
        self.assertEqual([f.result() for f in square.map([1, 2, 3])], [1, 4, 9])
        failed = square.submit(-1)
        self.assertIsInstance(failed.result(raise_on_failure=False), ValueError)
        with self.assertRaises(ValueError):
            failed.result()

    def test_with_options_changes_a_copy(self):
        @task(retries=1)
        def t():
            pass

        changed = t.with_options(retries=4, name="other")
        self.assertEqual((t.retries, t.name), (1, "t"))
        self.assertEqual((changed.retries, changed.name), (4, "other"))


def _raised(fn):
    try:
        fn()
    except BaseException as error:
        return error
    return None


if __name__ == "__main__":
    unittest.main()
