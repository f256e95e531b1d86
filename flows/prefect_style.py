"""A flow written for Prefect, which Ferry runs unmodified (see docs/python.md):

    ./ferry deploy flows/prefect_style.py:greet_all -n prefect-style -p my-process-pool
    ./ferry deployment run 'greetings/prefect-style' --param names='["Arthur", "Ford"]' --watch

Under a Ferry worker `prefect` is Ferry's stand-in, whether Prefect is installed or not: the
task runs in the flow's process, retried there; the logger's lines become the run's logs.
"""

from prefect import flow, get_run_logger, task


@task(retries=2, retry_delay_seconds=1)
def greeting(name: str) -> str:
    return f"Hello, {name}!"


@flow(name="greetings", retries=1, timeout_seconds=60)
def greet_all(names: list = ["Marvin"]):
    """Greets everyone it is given, one task call each."""
    logger = get_run_logger()
    for name in names:
        logger.info(greeting(name))


if __name__ == "__main__":
    greet_all()
