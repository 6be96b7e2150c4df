"""A deterministic, rule-based agent app for Scenario Lab's agent-facing ANIP scenarios.

It speaks the runner's documented contract: POST {actor, question, history} and answers
{capability, outcome, clarificationField?, resolved?}. No model, no network: each rule is plain.
AGENT_DEFECT=forget_capability makes a follow-up after a clarification lose the capability.
Run: python agent.py PORT
"""

import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACTOR_TENANT = {"requester": "tenant-a", "approver": "tenant-b"}
DEFECT = os.environ.get("AGENT_DEFECT", "")


def capability_of(text: str):
    if "reset" in text or "wipe" in text:
        return "fixture.reset_tenant"
    if "how many" in text or "count" in text:
        return "fixture.count"
    return None


def decide(actor: str, question: str, history: list) -> dict:
    q = question.lower()
    if "sql" in q or "raw" in q:
        return {"capability": None, "outcome": "denied"}
    if "every tenant" in q or "all tenants" in q:
        return {"capability": "fixture.count", "outcome": "restricted"}
    capability = capability_of(q)
    if capability is None and history:
        capability = None if DEFECT == "forget_capability" else capability_of(" ".join(history).lower())
        capability = capability or "fixture.count"
    tenant = None
    named = re.search(r"tenant-[a-z0-9]+", q)
    if named:
        tenant = named.group(0)
    elif "my tenant" in q or "our tenant" in q:
        tenant = ACTOR_TENANT.get(actor)
    if capability is None:
        return {"capability": None, "outcome": "clarification_required", "clarificationField": "capability"}
    if tenant is None:
        return {"capability": capability, "outcome": "clarification_required", "clarificationField": "tenant"}
    outcome = "approval_required" if capability == "fixture.reset_tenant" else "success"
    return {"capability": capability, "outcome": outcome, "resolved": {"tenant": tenant}}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            answer = decide(body.get("actor", ""), body.get("question", ""), body.get("history", []))
            status = 200
        except ValueError:
            answer, status = {"outcome": "invalid_request"}, 400
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
