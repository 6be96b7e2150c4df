"""A real ANIP 0.24.13 service for Scenario Lab's end-to-end tests: one read capability and one
approval-gated irreversible capability whose handler branches on the grant.

ANIP_DEFECT switches on one defect (the runner must fail the scenario that catches it):
  mutate_before_approval  the handler mutates, then raises approval_required
  ignore_grant            the handler raises approval_required even with a grant
  no_grant_policy         the gated capability declares no grant_policy
  raw_passthrough         a raw backend capability is exposed and runs whatever it is given
  policy_drift            the gated capability's grant policy allows one use instead of three
ANIP_DRIFT=1 changes the gated capability's minimum scope (a second instance for parity);
ANIP_INPUT_OPTIONAL=1 makes its input optional.
ANIP_STATE_DB=FILE mirrors the mutation count into a SQLite table (for SQL probes).
Run: uvicorn app:app --host 127.0.0.1 --port PORT (ANIP_KEY_PATH names the key file).
"""

import os
import sqlite3

from anip_core import (
    CapabilityDeclaration,
    CapabilityInput,
    CapabilityOutput,
    GrantPolicy,
    SideEffect,
    SideEffectType,
)
from anip_fastapi import mount_anip
from anip_service import ANIPError, ANIPService, Capability, InvocationContext
from fastapi import FastAPI

DEFECT = os.environ.get("ANIP_DEFECT", "")
DRIFT = os.environ.get("ANIP_DRIFT") == "1"
# ANIP_INPUT_OPTIONAL=1 makes the gated capability's `tenant` optional, as Go's and C#'s runtimes
# emit an input whose `required` the developer left out.
INPUT_OPTIONAL = os.environ.get("ANIP_INPUT_OPTIONAL") == "1"
STATE = {"resets": 0, "rows": {"tenant-a": 10, "tenant-b": 5}}
# ANIP_STATE_DB names a SQLite file the service mirrors its mutation count into (SQL probes).
STATE_DB = os.environ.get("ANIP_STATE_DB")


def _mirror():
    if STATE_DB:
        with sqlite3.connect(STATE_DB) as db:
            db.execute("CREATE TABLE IF NOT EXISTS fixture_state (resets INTEGER NOT NULL)")
            db.execute("DELETE FROM fixture_state")
            db.execute("INSERT INTO fixture_state (resets) VALUES (?)", (STATE["resets"],))


_mirror()

COUNT = CapabilityDeclaration(
    name="fixture.count",
    description="Count a tenant's fixture rows and the resets done so far",
    inputs=[CapabilityInput(name="tenant", type="string", required=True)],
    output=CapabilityOutput(type="count_result", fields=["tenant", "rows", "resets"]),
    side_effect=SideEffect(type=SideEffectType.READ, rollback_window="not_applicable"),
    minimum_scope=["fixtures.read"],
)

RESET = CapabilityDeclaration(
    name="fixture.reset_tenant",
    description="Delete all fixture rows of a tenant (approval-gated)",
    inputs=[CapabilityInput(name="tenant", type="string", required=not INPUT_OPTIONAL)],
    output=CapabilityOutput(type="reset_result", fields=["tenant", "deleted", "mutation_performed"]),
    side_effect=SideEffect(type=SideEffectType.IRREVERSIBLE, rollback_window="none"),
    minimum_scope=["fixtures.admin"] if DRIFT else ["fixtures.write"],
    grant_policy=None
    if DEFECT == "no_grant_policy"
    else GrantPolicy(
        allowed_grant_types=["one_time", "session_bound"],
        default_grant_type="one_time",
        expires_in_seconds=900,
        max_uses=1 if DEFECT == "policy_drift" else 3,
    ),
)

RAW = CapabilityDeclaration(
    name="backend.raw_sql",
    description="Run a raw statement against the backend",
    inputs=[CapabilityInput(name="statement", type="string", required=True)],
    output=CapabilityOutput(type="raw_result", fields=["rows"]),
    side_effect=SideEffect(type=SideEffectType.WRITE, rollback_window="none"),
    minimum_scope=["fixtures.read"],
)


async def count_handler(ctx: InvocationContext, params: dict) -> dict:
    tenant = params["tenant"]
    return {"tenant": tenant, "rows": STATE["rows"].get(tenant, 0), "resets": STATE["resets"]}


def _reset(tenant: str) -> dict:
    deleted = STATE["rows"].pop(tenant, 0)
    STATE["resets"] += 1
    _mirror()
    return {"tenant": tenant, "deleted": deleted, "mutation_performed": True}


async def reset_handler(ctx: InvocationContext, params: dict) -> dict:
    tenant = params["tenant"]
    if DEFECT == "mutate_before_approval" and ctx.approval_grant is None:
        _reset(tenant)
    if ctx.approval_grant is None or DEFECT == "ignore_grant":
        raise ANIPError(
            "approval_required",
            f"resetting {tenant} deletes its data",
            resolution={"action": "request_approval", "recovery_class": "wait_then_retry"},
            approval_required={"preview": {"tenant": tenant}},
        )
    return _reset(tenant)


async def raw_handler(ctx: InvocationContext, params: dict) -> dict:
    STATE["resets"] += 1
    _mirror()
    return {"rows": [], "statement": params["statement"]}


CAPABILITIES = [Capability(COUNT, count_handler), Capability(RESET, reset_handler)]
if DEFECT == "raw_passthrough":
    CAPABILITIES.append(Capability(RAW, raw_handler))

KEYS = {"dev-requester-key": "human:alice@example.com", "dev-approver-key": "human:bob@example.com"}

service = ANIPService(
    service_id="scenario-lab-fixture",
    capabilities=CAPABILITIES,
    storage=":memory:",
    key_path=os.environ.get("ANIP_KEY_PATH", "./anip-keys.json"),
    trust="signed",
    authenticate=lambda bearer: KEYS.get(bearer),
)
app = FastAPI()
mount_anip(app, service)
