import json
import os
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import ferry


class _Api(BaseHTTPRequestHandler):
    """Answers as Ferry does, and keeps what it was sent."""

    status = 202
    answer = {"accepted": ["e-stored"], "duplicates": []}
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Api.seen.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        data = json.dumps(_Api.answer).encode("utf-8")
        self.send_response(_Api.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class EmitEventTest(unittest.TestCase):
    def setUp(self):
        _Api.seen = []
        _Api.status = 202
        _Api.answer = {"accepted": ["e-stored"], "duplicates": []}
        self.server = HTTPServer(("127.0.0.1", 0), _Api)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.env = mock.patch.dict(os.environ, {
            "FERRY_API_URL": "http://127.0.0.1:%d/" % self.server.server_port,
            "FERRY_FLOW_RUN_ID": "run-1", "FERRY_API_KEY": "ferry_run_token"})
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.server.shutdown()
        self.server.server_close()

    def test_posts_the_event_for_its_run_with_the_run_token(self):
        stored = ferry.emit_event("acme.rows.loaded", payload={"rows": 3}, id="batch-7")

        self.assertEqual(stored, "e-stored")
        path, authorization, body = _Api.seen[0]
        self.assertEqual(path, "/api/flow_runs/run-1/events")
        self.assertEqual(authorization, "Bearer ferry_run_token")
        self.assertEqual(body, [{"event": "acme.rows.loaded", "payload": {"rows": 3}, "id": "batch-7"}])

    def test_a_duplicate_answers_the_stored_id(self):
        _Api.answer = {"accepted": [], "duplicates": ["e-before"]}

        self.assertEqual(ferry.emit_event("acme.x", id="same"), "e-before")

    def test_a_refusal_says_why_and_names_the_field(self):
        _Api.status = 422
        _Api.answer = {"detail": "names a resource of Ferry's", "field": "[0].resource.ferry.resource.id"}

        with self.assertRaisesRegex(RuntimeError, r"HTTP 422\): names a resource of Ferry's \(field \[0\]\.resource"):
            ferry.emit_event("acme.x", resource={"ferry.resource.id": "ferry.deployment.d"})

    def test_prefects_emit_event_renames_prefects_labels(self):
        from prefect.events import emit_event

        emit_event("acme.table.refreshed", resource={"prefect.resource.id": "acme.table.orders", "team": "data"},
                   related=[{"prefect.resource.id": "acme.db", "prefect.resource.role": "database"}])

        body = _Api.seen[0][2][0]
        self.assertEqual(body["resource"], {"ferry.resource.id": "acme.table.orders", "team": "data"})
        self.assertEqual(body["related"], [{"ferry.resource.id": "acme.db", "ferry.resource.role": "database"}])

    def test_outside_a_run_it_refuses(self):
        with mock.patch.dict(os.environ, {"FERRY_FLOW_RUN_ID": ""}):
            with self.assertRaisesRegex(RuntimeError, "inside a Ferry flow run"):
                ferry.emit_event("acme.x")


if __name__ == "__main__":
    unittest.main()
