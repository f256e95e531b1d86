"""prefect.events under Ferry: emit_event posts the run's event to Ferry, with Prefect's labels renamed."""

from ferry import emit_event as _emit

__all__ = ["emit_event"]


def emit_event(event, resource=None, occurred=None, related=None, payload=None, id=None, follows=None):
    """Prefect's emit_event; ``prefect.resource.*`` labels become Ferry's ``ferry.resource.*``."""
    return _emit(event, resource=_labels(resource), related=[_labels(r) for r in related] if related else None,
                 payload=payload, id=None if id is None else str(id), occurred=occurred,
                 follows=None if follows is None else str(follows))


def _labels(labels):
    if labels is None:
        return None
    return {("ferry." + k[len("prefect."):] if k.startswith("prefect.resource.") else k): v for k, v in labels.items()}
