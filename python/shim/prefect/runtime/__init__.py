"""prefect.runtime under Ferry: flow_run and deployment, read from the run's FERRY_* environment."""

from prefect.runtime import deployment, flow_run

__all__ = ["deployment", "flow_run"]
