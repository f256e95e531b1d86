"""emit_event: a flow's own events, posted with its run token to POST /api/flow_runs/{id}/events."""

import json
import os
import urllib.error
import urllib.request

__all__ = ["emit_event"]

_TIMEOUT_SECONDS = 10


def emit_event(event, resource=None, related=None, payload=None, id=None, occurred=None, follows=None):
    """Emits one event about this run (or about ``resource``) and returns its stored id.

    The server relates it to the run, its flow, deployment, work pool, queue and tags, and
    refuses ``resource`` or ``related`` naming another Ferry resource. ``id`` makes a retry
    safe: the same id sent again is stored once. ``occurred`` is an ISO-8601 string or a
    timezone-aware datetime. Outside a Ferry run this raises RuntimeError.
    """
    api_url = os.environ.get("FERRY_API_URL", "").strip()
    run_id = os.environ.get("FERRY_FLOW_RUN_ID", "").strip()
    token = os.environ.get("FERRY_API_KEY", "").strip()
    if not api_url or not run_id:
        raise RuntimeError("emit_event works inside a Ferry flow run (FERRY_API_URL and FERRY_FLOW_RUN_ID are not set)")
    body = {"event": event}
    for name, value in (("resource", resource), ("related", related), ("payload", payload), ("id", id),
                        ("follows", follows)):
        if value is not None:
            body[name] = value
    if occurred is not None:
        body["occurred"] = occurred if isinstance(occurred, str) else occurred.isoformat()
    request = urllib.request.Request(
        "%s/api/flow_runs/%s/events" % (api_url.rstrip("/"), run_id),
        data=json.dumps([body]).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as answer:
            stored = json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        raise RuntimeError("the server refused the event (HTTP %d): %s" % (e.code, _detail(e))) from None
    ids = stored.get("accepted", []) + stored.get("duplicates", [])
    return ids[0] if ids else None


def _detail(error):
    try:
        problem = json.loads(error.read().decode("utf-8"))
        field = problem.get("field")
        return problem.get("detail", "") + (" (field %s)" % field if field else "")
    except (ValueError, OSError):
        return error.reason
