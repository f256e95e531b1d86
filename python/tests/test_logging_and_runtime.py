import io
import os
import unittest
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

import ferry
from ferry import get_run_logger, runtime


class RunLoggerTest(unittest.TestCase):
    def test_info_goes_to_stdout_and_warning_up_to_stderr_each_with_its_level(self):
        with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
            logger = get_run_logger()
            logger.debug("hidden")
            logger.info("loaded %d rows", 3)
            logger.warning("slow")
            logger.error("bad")
            logger.critical("worse")

        self.assertEqual(out.getvalue(), "INFO | loaded 3 rows\n")
        self.assertEqual(err.getvalue(), "WARNING | slow\nERROR | bad\nCRITICAL | worse\n")

    def test_ferry_log_level_lowers_or_raises_the_threshold(self):
        with mock.patch.dict(os.environ, {"FERRY_LOG_LEVEL": "debug"}):
            with redirect_stdout(io.StringIO()) as out:
                get_run_logger().debug("shown")
        with mock.patch.dict(os.environ, {"FERRY_LOG_LEVEL": "ERROR"}):
            with redirect_stdout(io.StringIO()) as quiet, redirect_stderr(io.StringIO()):
                get_run_logger().info("hidden")

        self.assertEqual(out.getvalue(), "DEBUG | shown\n")
        self.assertEqual(quiet.getvalue(), "")

    def test_the_logger_is_set_up_once(self):
        self.assertIs(get_run_logger(), get_run_logger())
        self.assertEqual(len(get_run_logger().handlers), 2)


class RuntimeTest(unittest.TestCase):
    def test_reads_the_runs_ferry_environment(self):
        env = {"FERRY_FLOW_RUN_ID": "run-1", "FERRY_DEPLOYMENT_ID": "dep-1", "FERRY_PARAMETERS": '{"a": 1}',
               "FERRY_FLOW_RUN_ATTEMPT": "3", "FERRY_API_URL": "http://127.0.0.1:4200"}
        with mock.patch.dict(os.environ, env):
            self.assertEqual((runtime.flow_run_id, runtime.deployment_id, runtime.parameters, runtime.attempt,
                              runtime.api_url), ("run-1", "dep-1", {"a": 1}, 3, "http://127.0.0.1:4200"))

    def test_outside_a_run_there_are_no_ids_and_this_is_the_first_attempt(self):
        names = ["FERRY_FLOW_RUN_ID", "FERRY_DEPLOYMENT_ID", "FERRY_PARAMETERS", "FERRY_FLOW_RUN_ATTEMPT"]
        with mock.patch.dict(os.environ, {}):
            for name in names:
                os.environ.pop(name, None)
            self.assertEqual((runtime.flow_run_id, runtime.deployment_id, runtime.parameters, runtime.attempt),
                             (None, None, {}, 1))

    def test_an_unknown_name_says_what_there_is(self):
        with self.assertRaisesRegex(AttributeError, "attempt, deployment_id"):
            runtime.flow_run_name

    def test_the_package_exports_what_flows_use(self):
        self.assertTrue({"flow", "task", "get_run_logger", "runtime"} <= set(ferry.__all__))


if __name__ == "__main__":
    unittest.main()
