"""The synthesised stack as IAM sees it: its principals (each Lambda function's role, the timer state machine's
role) with their policies, every intrinsic resolved for one fixed account and the stack's own region and
partition (from the cloud assembly's manifest: the county's `deployment.region`), and the
translation of a resource as the local stack names it into the ARN it has in the deployment.

The stack is synthesised once (in a subprocess: synthesis imports the app afresh and writes chalice.out/ into its
working directory) and its cdk.out cached under the temp directory, keyed by the content of everything it is
made from; a lock makes parallel test workers wait for one synthesis instead of starting their own.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib import environment
from chalicelib.entrypoints import API_HANDLER
from support.iam_actions import ANY, INTEGRATIONS, Request, Unmapped

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"   # a fixed stand-in: the stack names no account
TEMPLATE_INPUTS = ("app.py", ".chalice/config.json", "requirements.txt", "infra/*.py", "chalicelib/**/*.py",
                   "chalicelib/*.json", "chalicelib/counties/{county}.yaml")   # and no other county's file


class Untranslatable(Exception):
    """A resource the deployment does not define (or a name the local stack did not give it)."""


# -- the template, synthesised once ------------------------------------------------------------------------------
def _inputs_digest(county: str) -> str:
    digest = hashlib.sha256(county.encode())
    for pattern in TEMPLATE_INPUTS:
        for path in sorted(ROOT.glob(pattern.format(county=county))):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


KEEP_SYNTHESES = 4        # per county: a run of another version of the code (another checkout) may still read its own
STALE_AFTER_SECONDS = 3600   # and is never pruned while it was used within the hour


@contextlib.contextmanager
def synthesis_lock():
    """Held by every synthesis on this machine: `chalice package` writes its zips into the project's
    .chalice/deployments/, and two packaging at once leave a torn zip (BadZipFile)."""
    cache = Path(os.environ.get("GRIDLOOP_SYNTH_CACHE", tempfile.gettempdir()))
    with open(cache / "gridloop-synth.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def synthesised(county: str = "demo") -> Path:
    """The cdk.out directory of `county`'s stack, from the cache or synthesised now (about 10-60 s)."""
    cache = Path(os.environ.get("GRIDLOOP_SYNTH_CACHE", tempfile.gettempdir()))
    target = cache / f"gridloop-synth-{county}-{_inputs_digest(county)}"
    with synthesis_lock():                   # one synthesis at a time; the others wait and reuse it
        if not target.exists():
            _synthesise(county, target)
            _prune(cache, county)
        os.utime(target)                       # in use: see _prune
    return target / "cdk.out"


def _prune(cache: Path, county: str) -> None:
    now = time.time()
    older = sorted(cache.glob(f"gridloop-synth-{county}-*"), key=lambda p: p.stat().st_mtime)
    for stale in older[:-KEEP_SYNTHESES]:
        if now - stale.stat().st_mtime > STALE_AFTER_SECONDS:
            shutil.rmtree(stale, ignore_errors=True)


def template_path(county: str = "demo") -> Path:
    return synthesised(county) / "dev.template.json"


def forget(county: str) -> None:
    """Drop the cached syntheses of a county (one a test made up)."""
    cache = Path(os.environ.get("GRIDLOOP_SYNTH_CACHE", tempfile.gettempdir()))
    for path in cache.glob(f"gridloop-synth-{county}-*"):
        shutil.rmtree(path, ignore_errors=True)


def _synthesise(county: str, target: Path) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="gridloop-synth-run-"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "AUTH_", "TABLE_", "MOTO_", "GRIDLOOP_"))
           and k not in ("STAGE", "COUNTY", "PYTHONPATH")}
    env.update({"AWS_DEFAULT_REGION": "cn-northwest-1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from infra.cdk_app import build; "
              "app, _ = build(sys.argv[2], outdir='cdk.out'); app.synth()")
    try:
        answer = subprocess.run([sys.executable, "-c", script, str(ROOT), county], cwd=scratch, env=env,
                                capture_output=True, text=True, timeout=900)
        if answer.returncode != 0:
            raise RuntimeError(f"synthesis of {county} failed:\n{answer.stdout[-3000:]}\n{answer.stderr[-3000:]}")
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        shutil.copytree(scratch / "cdk.out", partial / "cdk.out")
        partial.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- intrinsics --------------------------------------------------------------------------------------------------
PSEUDO_NAMES = ("AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix", "AWS::StackName",
                "AWS::NoValue")


def partition_of(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws"


def stack_region(cdk_out: Path) -> str:
    """The region the synthesised stack was built for, as the cloud assembly's manifest records it."""
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    for artifact in manifest["artifacts"].values():
        if artifact.get("type") == "aws:cloudformation:stack":
            return artifact["environment"].rsplit("/", 1)[1]
    raise Unmapped(f"{cdk_out}: no stack in the manifest")


@dataclass
class Principal:
    name: str                 # the function's name in the app (api_handler, ...) or "<Name> state machine"
    role: str                 # the role's logical id
    statements: list = field(default_factory=list)   # resolved Allow/Deny statements
    environment: dict = field(default_factory=dict)  # a function's environment variables (unresolved)
    logical: str = ""         # the function's or state machine's logical id


class Deployed:
    def __init__(self, template: dict, region: str):
        self.template = template
        self.region, self.partition = region, partition_of(region)
        self.pseudo = {"AWS::Partition": self.partition, "AWS::Region": region, "AWS::AccountId": ACCOUNT,
                       "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
                       "AWS::StackName": "gridloop", "AWS::NoValue": None}
        self.resources = template["Resources"]
        self.principals: dict[str, Principal] = {}
        for logical, resource in self.resources.items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::Serverless::Function" and properties["Handler"].startswith("app."):
                handler = properties["Handler"]          # app.app is Chalice's API function, api_handler
                name = API_HANDLER if handler == "app.app" else handler.split(".", 1)[1]
                self._add(Principal(name, properties["Role"]["Fn::GetAtt"][0], logical=logical,
                                    environment=properties.get("Environment", {}).get("Variables", {})))
            elif resource["Type"] == "AWS::StepFunctions::StateMachine":
                self._add(Principal(self.state_machine_principal(logical), properties["RoleArn"]["Fn::GetAtt"][0],
                                    logical=logical))

    @classmethod
    def load(cls, path: Path | str | None = None, county: str = "demo") -> "Deployed":
        path = Path(path or template_path(county))
        return cls(json.loads(path.read_text()), stack_region(path.parent))

    def arn_of(self, service: str, resource: str, region: str | None = None, account: str = ACCOUNT) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region is None else region}:{account}:{resource}"

    def _add(self, principal: Principal) -> None:
        role = self.resources[principal.role]
        if role["Properties"].get("ManagedPolicyArns"):
            raise Unmapped(f"{principal.role}: managed policies cannot be evaluated offline")
        for policy in role["Properties"].get("Policies", []):
            principal.statements += self._statements(policy["PolicyDocument"])
        for logical, resource in self.resources.items():
            if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and \
                    {"Ref": principal.role} in resource["Properties"].get("Roles", []):
                principal.statements += self._statements(resource["Properties"]["PolicyDocument"])
        self.principals[principal.name] = principal

    def _statements(self, document: dict) -> list[dict]:
        statements = document["Statement"]
        return [self.resolve(s) for s in (statements if isinstance(statements, list) else [statements])]

    def state_machine_principal(self, logical: str) -> str:
        return f"{re.sub(r'[0-9A-F]{8}$', '', logical)} state machine"

    # resolution ----------------------------------------------------------------------------------------------
    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Join":
                return argument[0].join(str(self.resolve(v)) for v in argument[1])
            if key == "Fn::Sub":
                text, names = (argument, {}) if isinstance(argument, str) else argument
                return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self.resolve(names[m.group(1)]) if m.group(1) in names
                                                             else self._sub_name(m.group(1))), text)
            if key == "Fn::Select":
                return self.resolve(argument[1])[int(argument[0])]
            if key.startswith("Fn::"):
                raise Unmapped(f"intrinsic {key}")
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub_name(self, name: str):
        if name in PSEUDO_NAMES or "." not in name:
            return self.ref(name)
        logical, attribute = name.split(".", 1)
        return self.get_att(logical, attribute)

    def ref(self, logical: str):
        if logical in self.pseudo:
            return self.pseudo[logical]
        resource = self.resources[logical]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            return properties["TableName"]
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.{self.pseudo['AWS::URLSuffix']}/{ACCOUNT}/{self.get_att(logical, 'QueueName')}"
        if kind == "AWS::SNS::Topic":
            return self.arn_of("sns", properties.get("TopicName", logical))
        if kind == "AWS::StepFunctions::StateMachine":
            return self.arn_of("states", f"stateMachine:{self.get_att(logical, 'Name')}")
        if kind == "AWS::S3::Bucket":   # CloudFormation names an unnamed bucket: a fixed stand-in here
            return properties.get("BucketName", f"stack-{logical.lower()}")
        if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return properties.get("FunctionName", f"stack-{logical}")
        if kind == "AWS::Logs::LogGroup":
            return properties.get("LogGroupName", f"stack-{logical}")
        return f"stack-{logical}"        # ids nobody builds an ARN from (keys, user pools, clients, roles)

    def get_att(self, logical: str, attribute: str):
        resource = self.resources[logical]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::SQS::Queue":
            queue_name = properties.get("QueueName", f"stack-{logical}")
            if attribute == "QueueUrl":
                return self.ref(logical)
            return {"QueueName": queue_name, "Arn": self.arn_of("sqs", queue_name)}[attribute]
        if kind == "AWS::StepFunctions::StateMachine" and attribute == "Name":
            return properties.get("StateMachineName", f"stack-{logical}")
        name = self.ref(logical)
        arns = {"AWS::DynamoDB::Table": lambda: self.arn_of("dynamodb", f"table/{name}"),
                "AWS::SNS::Topic": lambda: name, "AWS::StepFunctions::StateMachine": lambda: name,
                "AWS::S3::Bucket": lambda: f"arn:{self.partition}:s3:::{name}",
                "AWS::KMS::Key": lambda: self.arn_of("kms", f"key/{name}"),
                "AWS::Cognito::UserPool": lambda: self.arn_of("cognito-idp", f"userpool/{name}"),
                "AWS::IAM::Role": lambda: f"arn:{self.partition}:iam::{ACCOUNT}:role/{name}",
                "AWS::Logs::LogGroup": lambda: self.arn_of("logs", f"log-group:{name}:*"),
                "AWS::Serverless::Function": lambda: self.arn_of("lambda", f"function:{name}"),
                "AWS::Lambda::Function": lambda: self.arn_of("lambda", f"function:{name}")}
        if attribute == "Arn" and kind in arns:
            return arns[kind]()
        if kind == "AWS::SNS::Topic" and attribute == "TopicName":
            return properties.get("TopicName", logical)
        raise Unmapped(f"Fn::GetAtt {kind}.{attribute}")

    # the deployment's resources ------------------------------------------------------------------------------
    def named(self, kind: str) -> dict[str, str]:
        """Physical name -> logical id of every resource of a kind."""
        return {str(self.ref(logical)): logical for logical, r in self.resources.items() if r["Type"] == kind}

    def environment(self, function: str) -> dict[str, str]:
        principal = self.principals.get(function)
        if principal is None:
            raise Untranslatable(f"the stack has no function {function!r}")
        return principal.environment

    def arn(self, function: str, resource: tuple, local_env=None) -> str | None:
        """The deployed ARN of a resource named as the local stack names it, seen from `function`."""
        local_env = os.environ if local_env is None else local_env
        deployed_env = self.environment(function)
        local_prefix = _local_prefix(local_env)
        deployed_prefix = self.resolve(deployed_env.get(environment.PREFIX, ""))

        def deployed(value: str) -> str:
            """The deployed value of a local name: through the environment variable that carries it, else by
            the deployment's prefix."""
            for key, local in local_env.items():
                if local == value and key in deployed_env and key not in (environment.COUNTY, environment.STAGE):
                    return str(self.resolve(deployed_env[key]))
            if local_prefix and value.startswith(local_prefix):
                return deployed_prefix + value[len(local_prefix):]
            raise Untranslatable(f"{value!r} is not named by the local stack's environment or prefix")

        kind = resource[0]
        if resource == ANY:
            return "*"
        if kind in ("table", "index"):
            name = deployed(resource[1])
            logical = self.named("AWS::DynamoDB::Table").get(name)
            if logical is None:
                raise Untranslatable(f"the stack has no table {name}")
            if kind == "table":
                return self.arn_of("dynamodb", f"table/{name}")
            indexes = [i["IndexName"] for i in self.resources[logical]["Properties"].get("GlobalSecondaryIndexes", [])]
            if resource[2] not in indexes:
                raise Untranslatable(f"the table {name} has no index {resource[2]}")
            return self.arn_of("dynamodb", f"table/{name}/index/{resource[2]}")
        if kind == "queue":
            url = resource[1]
            try:
                url = deployed(url)
            except Untranslatable:
                url = deployed(url.rstrip("/").rsplit("/", 1)[1])   # a queue's URL ends with its name
            name = url.rstrip("/").rsplit("/", 1)[1]
            if name not in {self.get_att(q, "QueueName") for q in self.named("AWS::SQS::Queue").values()}:
                raise Untranslatable(f"the stack has no queue {name}")
            return self.arn_of("sqs", name)
        if kind in ("object", "bucket"):
            bucket = deployed(resource[1])
            if bucket not in self.named("AWS::S3::Bucket"):
                raise Untranslatable(f"the stack has no bucket {bucket}")
            return f"arn:{self.partition}:s3:::{bucket}" + (f"/{resource[2]}" if kind == "object" else "")
        if kind in ("topic", "topic-key"):
            try:
                topic = deployed(resource[1])
            except Untranslatable:
                topic = self.arn_of("sns", deployed(resource[1].rsplit(":", 1)[1]))
            logical = self.named("AWS::SNS::Topic").get(topic)
            if logical is None:
                raise Untranslatable(f"the stack has no topic {topic}")
            if kind == "topic":
                return topic
            key = self.resolve(self.resources[logical]["Properties"].get("KmsMasterKeyId"))
            # a topic without a key, or under SNS's AWS managed key (its key policy lets SNS use it for every
            # principal of the account), needs no kms grant
            return key if key and not re.match(r"(arn:[^:]+:kms:[^:]*:[^:]*:)?alias/aws/", str(key)) else None
        if kind == "state-machine":
            machine = deployed(resource[1])
            if machine not in self.named("AWS::StepFunctions::StateMachine"):
                raise Untranslatable(f"the stack has no state machine {machine}")
            return machine
        if kind == "execution":   # arn:...:execution:<state machine name>:<execution name>
            parts = resource[1].split(":")
            machine, execution = deployed(parts[-2]), parts[-1]
            names = {self.get_att(m, "Name") for m in self.named("AWS::StepFunctions::StateMachine").values()}
            if machine not in names:
                raise Untranslatable(f"the stack has no state machine {machine}")
            return self.arn_of("states", f"execution:{machine}:{execution}")
        if kind == "parameter":
            return self.arn_of("ssm", f"parameter/{resource[1].lstrip('/')}")
        if kind == "user-pool":
            pool = deployed(resource[1])
            if pool not in self.named("AWS::Cognito::UserPool"):
                raise Untranslatable(f"the stack has no user pool {pool}")
            return self.arn_of("cognito-idp", f"userpool/{pool}")
        raise Unmapped(f"resource kind {kind}")

    # the timer: what its Task states call ----------------------------------------------------------------------
    def state_machine_calls(self, machine_arn: str, execution_input: dict) -> tuple[str, list[Request]]:
        """The state machine's principal and the request of each Task its definition runs for this input
        (resources as the input names them). The definition is walked from StartAt: Wait states do not wait,
        Choice rules are evaluated, and a Task whose parameters the data lacks ends the walk (the execution would
        fail there, making no request), unless it is the first."""
        logical = self.named("AWS::StepFunctions::StateMachine")[machine_arn]
        properties = self.resources[logical]["Properties"]
        text = properties["DefinitionString"]
        for name, value in (properties.get("DefinitionSubstitutions") or {}).items():
            text = text.replace("${" + name + "}", str(self.resolve(value)))
        definition = json.loads(self.resolve(text) if isinstance(text, dict) else text)
        calls, state_name, data = [], definition["StartAt"], execution_input
        for _ in range(200):
            state = definition["States"][state_name]
            kind = state["Type"]
            if kind in ("Succeed", "Fail"):
                break
            if kind == "Task":
                match = re.fullmatch(r"arn:[^:]+:states:::([a-z0-9]+):([A-Za-z]+)(\.sync|\.waitForTaskToken)?",
                                     state["Resource"])
                if not match or f"{match[1]}:{match[2]}" not in INTEGRATIONS:
                    raise Unmapped(f"state machine Task {state['Resource']}")
                action, parameter, resource_kind = INTEGRATIONS[f"{match[1]}:{match[2]}"]
                parameters = state.get("Parameters", {})
                try:
                    value = parameters.get(parameter) or _json_path(data, parameters[parameter + ".$"])
                except (KeyError, TypeError):
                    if not calls:
                        raise   # the input's first Task cannot run: a wrong input, not a timer's trailing link
                    break       # States.Runtime: the execution fails here without the request (the timer's
                                # trailing link, which the worker stops before: chalicelib/timer.asl.json)
                calls.append(Request(action, (resource_kind, value)))
                if state.get("ResultPath", "$") is not None:
                    raise Unmapped("a Task whose result replaces its input")
                if "OutputPath" in state:
                    data = _json_path(data, state["OutputPath"])
            elif kind == "Choice":
                state_name = next((rule["Next"] for rule in state["Choices"] if _choice(rule, data)),
                                  state.get("Default"))
                continue
            elif kind != "Wait":
                raise Unmapped(f"state machine state type {kind}")
            if state.get("End"):
                break
            state_name = state["Next"]
        return self.state_machine_principal(logical), calls


def _local_prefix(local_env) -> str:
    """The prefix of the local stack's names, as the app read it at import (chalice.test.Client sets the
    stage's environment variables from .chalice/config.json while it serves a request)."""
    resources = sys.modules.get("chalicelib.resources")
    if resources is not None:
        return resources.NAMES.prefix
    return local_env.get(environment.PREFIX, "")


def _json_path(data, path: str):
    if path == "$":
        return data
    for part in path[2:].split("."):
        data = data[part]
    return data


def _choice(rule: dict, data) -> bool:
    try:
        value = _json_path(data, rule["Variable"])
    except (KeyError, TypeError):
        return False
    for test in ("BooleanEquals", "StringEquals", "NumericEquals"):
        if test in rule:
            return value == rule[test]
    raise Unmapped(f"Choice rule {sorted(rule)}")
