import importlib
import io
import os
import unittest
from contextlib import redirect_stdout
from unittest import mock

import ferry
import prefect


class PrefectShimTest(unittest.TestCase):
    def test_this_prefect_is_ferrys_stand_in(self):
        self.assertTrue(prefect.__ferry_shim__)

    def test_flow_task_and_both_get_run_loggers_are_ferrys(self):
        from prefect import flow, get_run_logger, task
        from prefect.logging import get_run_logger as logging_logger

        self.assertIs(flow, ferry.flow)
        self.assertIs(task, ferry.task)
        self.assertIs(get_run_logger, ferry.get_run_logger)
        self.assertIs(logging_logger, ferry.get_run_logger)

    def test_a_prefect_flow_with_a_task_and_a_logger_runs_in_process(self):
        from prefect import flow, get_run_logger, task

        @task
        def add(a, b):
            return a + b

        @flow(name="Adder", log_prints=True)
        def adder(a: int = 1):
            get_run_logger().info("sum %d", add(a, 2))
            return add(a, 3)

        with redirect_stdout(io.StringIO()) as out:
            self.assertEqual(adder(1), 4)
        self.assertEqual(out.getvalue(), "INFO | sum 3\n")
        self.assertEqual(adder.name, "Adder")

    def test_prefect_runtime_reads_ferrys_environment(self):
        from prefect.runtime import deployment, flow_run

        with mock.patch.dict(os.environ, {"FERRY_FLOW_RUN_ID": "r", "FERRY_DEPLOYMENT_ID": "d",
                                          "FERRY_FLOW_RUN_ATTEMPT": "2", "FERRY_PARAMETERS": '{"x": 1}'}):
            self.assertEqual((flow_run.id, flow_run.run_count, flow_run.parameters, deployment.id),
                             ("r", 2, {"x": 1}, "d"))

    def test_what_prefect_has_and_ferry_does_not_says_so_when_used(self):
        with self.assertRaisesRegex(AttributeError, "prefect.serve is not available when Ferry runs this flow"):
            prefect.serve
        with self.assertRaisesRegex(ImportError, "prefect.blocks is not available when Ferry runs this flow"):
            importlib.import_module("prefect.blocks.system")
        with self.assertRaisesRegex(AttributeError, "prefect.runtime.flow_run.name is not available"):
            from prefect.runtime import flow_run
            flow_run.name


if __name__ == "__main__":
    unittest.main()
