"""Every AWS call checked, when it is made, against the grants of the function that made it.

A `GrantCheck` listens to the recorder (support/calls.py). For a call made by one of the app's functions it
takes the IAM requests of the operation (support/iam_actions.py), translates their resources into the
deployment's ARNs and evaluates each against that function's role in the synthesised template with moto's IAM
policy evaluator (moto.iam.access_control.IAMPolicy). A StartExecution of the timer adds what the state machine
will call with its own role: its Task states, for that input. A request no grant allows is recorded as a
`Violation` and the pytest plugin fails the test that made it. The call itself goes on (the check changes nothing
the code does): the test lists every missing grant on its path, not only the first.

It also counts which grant allowed each request: a grant is one action pattern on one resource pattern of an
Allow statement. The pytest plugin lists the grants no request used over a whole run.
"""
from __future__ import annotations

import json
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

from support import calls
from support.deployed import Deployed, Untranslatable
from support.iam_actions import Request, Unmapped, requests_of
from support.transactions import TokenCheck


@dataclass(frozen=True)
class Violation:
    principal: str
    action: str
    arn: str
    call: str          # service.Operation
    site: str          # the innermost chalicelib frame

    def __str__(self):
        return f"{self.principal} has no grant for {self.action} on {self.arn}  ({self.call}{self.site})"


@dataclass(frozen=True)
class Grant:
    principal: str
    action: str       # the pattern as the policy writes it
    resource: str

    def __str__(self):
        return f"{self.principal}: {self.action} on {self.resource}"


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


class GrantCheck:
    def __init__(self, deployed: Deployed, sink=None):
        self.deployed = deployed
        self.sink = sink                    # a subprocess writes what it checked here (support/boot)
        self.lock = threading.Lock()
        self.policies, self.grants = {}, {}
        for name, principal in deployed.principals.items():
            self.policies[name] = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": principal.statements}))
            self.grants[name] = [(Grant(name, action, resource), IAMPolicyStatement(
                {"Effect": "Allow", "Action": action, "Resource": resource}))
                for s in principal.statements if s["Effect"] == "Allow"
                for action in _listed(s["Action"]) for resource in _listed(s.get("Resource", "*"))]
        self.violations: list[Violation] = []
        self.used: Counter = Counter()
        self.checked: Counter = Counter()   # requests evaluated, per principal
        self.answers: dict = {}

    # the recorder's listener ---------------------------------------------------------------------------------
    def before(self, call):
        if call.function is not None:        # None: the test harness, or moto's own clients
            self.check_call(call)
        return None

    def after(self, call):
        return None

    # checking ----------------------------------------------------------------------------------------------
    def check_call(self, call) -> list[Violation]:
        site = f" at {call.site[0]}" if call.site else ""
        where = f"{call.service}.{call.operation}"
        found = []
        try:
            for request in requests_of(call.service, call.operation, call.params):
                found += self.evaluate_request(call.function, request, where, site)
            if (call.service, call.operation) == ("stepfunctions", "StartExecution"):
                machine = self.deployed.arn(call.function, ("state-machine", call.params["stateMachineArn"]))
                principal, tasks = self.deployed.state_machine_calls(machine, json.loads(call.params["input"]))
                for request in tasks:    # resources as the input names them: the calling function's world
                    arn = self.deployed.arn(call.function, request.resource)
                    found += self.evaluate(principal, request.action, arn, f"{where} -> Task", site)
        except (Unmapped, Untranslatable, KeyError) as problem:
            found.append(self._record(Violation(call.function, f"({type(problem).__name__}: {problem})",
                                                "-", where, site)))
        return found

    def evaluate_request(self, principal: str, request: Request, where: str = "", site: str = "") -> list:
        arn = self.deployed.arn(principal, request.resource)
        return [] if arn is None else self.evaluate(principal, request.action, arn, where, site)

    def evaluate(self, principal: str, action: str, arn: str, where: str = "", site: str = "") -> list[Violation]:
        """Evaluate one request (deployed ARN); count the grants that allow it. [] or [the Violation]."""
        key = (principal, action, arn)
        if key not in self.answers:      # the same request recurs thousands of times in a run
            policy = self.policies.get(principal)
            allowed = policy is not None and policy.is_action_permitted(action, arn) == PermissionResult.PERMITTED
            self.answers[key] = allowed, [grant for grant, statement in self.grants.get(principal, []) if allowed
                                          and statement.is_action_permitted(action, arn) == PermissionResult.PERMITTED]
        allowed, used = self.answers[key]
        with self.lock:
            self.checked[principal] += 1
            self.used.update(used)
        if self.sink:
            self.sink({"checked": principal, "used": [vars(g) for g in used]})
        return [] if allowed else [self._record(Violation(principal, action, arn, where, site))]

    def _record(self, violation: Violation) -> Violation:
        with self.lock:
            self.violations.append(violation)
        if self.sink:
            self.sink({"violation": str(violation)})
        return violation

    def all_grants(self) -> list[Grant]:
        return [grant for grants in self.grants.values() for grant, _ in grants]


def install_writing_to(directory: str, template: str) -> GrantCheck:
    """In a subprocess: check its calls and transactions, and write each check to <directory>/<pid>.jsonl (one
    JSON per line) for the test process to read (support/pytest_plugin.watch)."""
    path, lock = Path(directory) / f"{os.getpid()}.jsonl", threading.Lock()
    path.parent.mkdir(parents=True, exist_ok=True)

    def sink(record: dict) -> None:
        with lock, open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    check = GrantCheck(Deployed.load(template), sink=sink)
    calls.install().add_listener(check)
    calls.install().add_listener(TokenCheck(sink=sink))
    return check
