"""An Environment Factory for the reference example domain, built on the real Autonoma Python
SDK (autonoma-ai) with FastAPI and SQLAlchemy. The end-to-end tests start it against a real
database; the DEFECT environment variable turns on one realistic bug at a time:

  no_teardown       Task has no teardown: its rows stay after down
  extra_rows        Organization teardown forgets the OnboardingChecklist it minted
  delete_unrelated  Project teardown also deletes an unrelated, pre-existing project
  no_refs_token     up answers 200 without refsToken
  cold_start        the first two requests answer 503 (a cold start)
  down_fails_once   the first down answers 500 (the teardown can be retried later)
  down_not_ok_twice the first two downs answer 200 with "ok": false and tear nothing down
  no_task_factory   Task, an audited model, has no factory registered
  disabled          the app's own switch (AUTONOMA_ENABLED off) answers 503 before the SDK
"""

import json
import os
import uuid
from typing import Optional

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import create_engine, text
from starlette.responses import Response

from autonoma import HandlerConfig, define_factory
from autonoma_fastapi import create_fastapi_handler

DEFECT = os.environ.get("DEFECT", "")
DATABASE_URL = os.environ["APP_DATABASE_URL"]
# MySQL/MariaDB read double-quoted identifiers as strings unless ANSI_QUOTES is on.
engine = create_engine(
    DATABASE_URL,
    future=True,
    connect_args={"init_command": "SET sql_mode='ANSI_QUOTES'"} if DATABASE_URL.startswith("mysql") else {},
)

S = "VARCHAR(255)"
SCHEMA = [
    f'CREATE TABLE IF NOT EXISTS organization (id {S} PRIMARY KEY, name {S} NOT NULL, slug {S} NOT NULL UNIQUE)',
    f'CREATE TABLE IF NOT EXISTS onboarding_checklist (id {S} PRIMARY KEY, organization_id {S} NOT NULL, step {S} NOT NULL)',
    f'CREATE TABLE IF NOT EXISTS "user" (id {S} PRIMARY KEY, name {S} NOT NULL, email {S} NOT NULL UNIQUE, password_hash {S} NOT NULL, organization_id {S} NOT NULL)',
    f'CREATE TABLE IF NOT EXISTS member (id {S} PRIMARY KEY, role {S} NOT NULL, organization_id {S} NOT NULL, user_id {S} NOT NULL)',
    f'CREATE TABLE IF NOT EXISTS project (id {S} PRIMARY KEY, name {S} NOT NULL, status {S} NOT NULL, organization_id {S} NOT NULL)',
    f'CREATE TABLE IF NOT EXISTS task (id {S} PRIMARY KEY, title {S} NOT NULL, priority {S} NOT NULL, project_id {S} NOT NULL, assignee_id {S} NOT NULL)',
]
with engine.begin() as conn:
    for statement in SCHEMA:
        conn.execute(text(statement))
    # A row that belongs to nobody's scenario: teardown must never touch it.
    conn.execute(text("DELETE FROM project WHERE id = 'pre-existing'"))
    conn.execute(text("INSERT INTO project (id, name, status, organization_id) VALUES ('pre-existing', 'Keep me', 'ACTIVE', 'other-org')"))


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def run(sql: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


class OrganizationIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    slug: str


def create_organization(data: OrganizationIn, ctx):
    org_id = new_id("org")
    run("INSERT INTO organization (id, name, slug) VALUES (:id, :name, :slug)", id=org_id, name=data.name, slug=data.slug)
    # Side effect of OrganizationService.create: a default onboarding checklist.
    run("INSERT INTO onboarding_checklist (id, organization_id, step) VALUES (:id, :org, 'welcome')", id=new_id("chk"), org=org_id)
    return {"id": org_id, "name": data.name, "slug": data.slug}


def teardown_organization(record, ctx):
    if DEFECT != "extra_rows":
        run("DELETE FROM onboarding_checklist WHERE organization_id = :id", id=record["id"])
    run("DELETE FROM organization WHERE id = :id", id=record["id"])


class UserIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    email: str
    password: str
    organizationId: str


def create_user(data: UserIn, ctx):
    user_id = new_id("usr")
    run(
        'INSERT INTO "user" (id, name, email, password_hash, organization_id) VALUES (:id, :name, :email, :hash, :org)',
        id=user_id, name=data.name, email=data.email, hash="hashed:" + data.password, org=data.organizationId,
    )
    return {"id": user_id, "name": data.name, "email": data.email, "password": data.password, "organizationId": data.organizationId}


def teardown_user(record, ctx):
    run('DELETE FROM "user" WHERE id = :id', id=record["id"])


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: str
    organizationId: str
    userId: str


def create_member(data: MemberIn, ctx):
    member_id = new_id("mem")
    run("INSERT INTO member (id, role, organization_id, user_id) VALUES (:id, :role, :org, :user)", id=member_id, role=data.role, org=data.organizationId, user=data.userId)
    return {"id": member_id, "role": data.role, "organizationId": data.organizationId, "userId": data.userId}


def teardown_member(record, ctx):
    run("DELETE FROM member WHERE id = :id", id=record["id"])


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    status: str
    organizationId: str


def create_project(data: ProjectIn, ctx):
    project_id = new_id("prj")
    run("INSERT INTO project (id, name, status, organization_id) VALUES (:id, :name, :status, :org)", id=project_id, name=data.name, status=data.status, org=data.organizationId)
    return {"id": project_id, "name": data.name, "status": data.status, "organizationId": data.organizationId}


def teardown_project(record, ctx):
    run("DELETE FROM project WHERE id = :id", id=record["id"])
    if DEFECT == "delete_unrelated":
        run("DELETE FROM project WHERE id = 'pre-existing'")


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str
    priority: Optional[str] = "MEDIUM"
    projectId: str
    assigneeId: str


def create_task(data: TaskIn, ctx):
    task_id = new_id("tsk")
    run(
        "INSERT INTO task (id, title, priority, project_id, assignee_id) VALUES (:id, :title, :priority, :project, :assignee)",
        id=task_id, title=data.title, priority=data.priority or "MEDIUM", project=data.projectId, assignee=data.assigneeId,
    )
    return {"id": task_id, "title": data.title, "priority": data.priority, "projectId": data.projectId, "assigneeId": data.assigneeId}


def teardown_task(record, ctx):
    run("DELETE FROM task WHERE id = :id", id=record["id"])


def auth(user, ctx):
    if user is None:
        return {"headers": {"X-Scope": ctx.scope_value}}
    return {
        "cookies": [{"name": "session", "value": "sess_" + user["id"], "httpOnly": True, "sameSite": "lax", "path": "/"}],
        "credentials": {"email": user["email"], "password": user["password"]},
    }


config = HandlerConfig(
    scope_field="organizationId",
    shared_secret=os.environ["AUTONOMA_SHARED_SECRET"],
    signing_secret=os.environ["AUTONOMA_SIGNING_SECRET"],
    auth=auth,
    factories={
        "Organization": define_factory(create=create_organization, teardown=teardown_organization, input_model=OrganizationIn),
        "User": define_factory(create=create_user, teardown=teardown_user, input_model=UserIn),
        "Member": define_factory(create=create_member, teardown=teardown_member, input_model=MemberIn),
        "Project": define_factory(create=create_project, teardown=teardown_project, input_model=ProjectIn),
        "Task": define_factory(create=create_task, teardown=None if DEFECT == "no_teardown" else teardown_task, input_model=TaskIn),
    },
)
if DEFECT == "no_task_factory":
    del config.factories["Task"]

app = FastAPI()
cold_starts = {"left": 2 if DEFECT == "cold_start" else 0}
failing_downs = {"left": 1 if DEFECT == "down_fails_once" else 0}
unconfirmed_downs = {"left": 2 if DEFECT == "down_not_ok_twice" else 0}


@app.middleware("http")
async def defects(request: Request, call_next):
    if DEFECT == "disabled" and request.url.path.startswith("/api/autonoma"):
        body = {"error": "The Autonoma endpoint is disabled here", "code": "AUTONOMA_DISABLED"}
        return Response(json.dumps(body), status_code=503, media_type="application/json")
    if cold_starts["left"] > 0:
        cold_starts["left"] -= 1
        return Response("upstream is waking up", status_code=503, media_type="text/plain")
    if failing_downs["left"] > 0 and b'"action":"down"' in await request.body():
        failing_downs["left"] -= 1
        return Response(json.dumps({"error": "database is locked", "code": "INTERNAL_ERROR"}), status_code=500, media_type="application/json")
    if unconfirmed_downs["left"] > 0 and b'"action":"down"' in await request.body():
        unconfirmed_downs["left"] -= 1
        return Response(json.dumps({"version": "1.0", "ok": False}), status_code=200, media_type="application/json")
    response = await call_next(request)
    if DEFECT == "no_refs_token" and request.url.path.startswith("/api/autonoma"):
        body = b"".join([chunk async for chunk in response.body_iterator])
        data = json.loads(body)
        data.pop("refsToken", None)
        return Response(json.dumps(data), status_code=response.status_code, media_type="application/json")
    return response


app.include_router(create_fastapi_handler(config), prefix="/api/autonoma")


@app.get("/health")
def health():
    return {"ok": True}
