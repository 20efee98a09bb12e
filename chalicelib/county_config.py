"""The county configuration: one validated YAML file per deployment, and the `Deployment` the services read.

The schema lives in chalicelib/county_spec.py (its `deployment:` block in chalicelib/county_deployment.py); the
app, the local runtime and the CDK app load a county through this module. A bad file is refused with every
problem at once, each named by its path in the file.
"""
from __future__ import annotations

import functools
import logging
import os
import pickle  # nosec B403: only the package's own files are read (see _validated_when_packaged)
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chalicelib import environment
from chalicelib.domain.categories import Category, Routing
from chalicelib.domain.deadline_policy import DeadlinePolicy
from chalicelib.domain.drill_time import DrillCalendar
from chalicelib.domain.jurisdiction import Department, Jurisdiction, Node
from chalicelib.domain.vocabulary import Stage, Urgency
from chalicelib.domain.working_time import WorkingCalendar

if TYPE_CHECKING:
    from chalicelib.county_spec import (AssessmentSpec, CountyConfig, Open311ServiceSpec, PointRuleSpec,
                                        PrivilegeSpec, SupermarketSpec)

COUNTIES_DIR = Path(__file__).parent / "counties"


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` lists every (path, message), `lines` the line in the
    file of each path it could find (when the file's text was read)."""

    def __init__(self, source: str, problems: list[tuple[str, str]], lines: dict[str, int] | None = None):
        self.source = source
        self.lines = lines or {}
        self.problems = sorted(problems, key=lambda p: self.lines.get(p[0], 0)) if self.lines else problems
        shown = "\n".join(f"  {source}:{self.lines[path]}: {path}: {message}" if path in self.lines
                          else f"  {path}: {message}" for path, message in self.problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{shown}")


def known() -> list[str]:
    """The deployments that exist: chalicelib/counties/<name>.yaml."""
    return sorted(p.stem for p in COUNTIES_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=8)
def load(name: str | None = None) -> Deployment:
    """Load and validate `chalicelib/counties/<name>.yaml` (default: the COUNTY variable, else demo).

    A deployed package also carries, written at packaging time (infra/lambda_package.py), `<name>.pickle`: this
    Deployment as validated then, which a cold start reads in about 3 ms instead of building the schema and
    validating (about 60 ms); and `<name>.json`, the same data as the YAML, read when the pickle cannot be,
    which spares importing and running the YAML parser.
    """
    name = name or os.environ.get(environment.COUNTY, "demo")
    validated = COUNTIES_DIR / f"{name}.pickle"
    if validated.exists():
        deployment = _validated_when_packaged(validated)
        if deployment is not None:
            return deployment
    return _validated_now(name)


def _validated_now(name: str) -> Deployment:
    """The county's file validated here: the packaged JSON where there is one, else the YAML."""
    packaged = COUNTIES_DIR / f"{name}.json"
    if packaged.exists():
        import json
        return parse(json.loads(packaged.read_text(encoding="utf-8")), source=str(packaged))
    path = COUNTIES_DIR / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(str(path), [("(file)", f"no county configuration named '{name}'; the deployments that "
                                                 f"exist: {', '.join(known()) or 'none'}")])
    return load_file(path)


def _validated_when_packaged(path: Path) -> Deployment | None:
    """The packaging step's Deployment, or None (logged) when this interpreter cannot read it back, e.g. a file
    written by other code than the package's: the JSON beside it is then validated (the spec inside it is read
    only when first asked for, with the same fallback: `Deployment.spec`). A pickle, because the file is the
    package's own, written by its build beside the code it ships with, never anything a caller sends."""
    try:
        deployment = pickle.loads(path.read_bytes())  # nosec B301: the package's own file, as trusted as its code
    except Exception as exc:   # any failure to read it back leaves the JSON to validate
        logging.getLogger(__name__).warning("%s unreadable (%s): validating the configuration instead", path, exc)
        return None
    return deployment if isinstance(deployment, Deployment) else None


def read_yaml(path: Path) -> object:
    """The county file's data (libyaml's safe loader: ~5 ms instead of ~45)."""
    import yaml
    try:
        text = Path(path).read_text(encoding="utf-8")
        return yaml.load(text, Loader=yaml.CSafeLoader) if yaml.__with_libyaml__ else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        lines = {"(file)": mark.line + 1} if mark is not None else None
        raise ConfigError(str(path), [("(file)", f"not valid YAML: {exc}")], lines) from None


def load_file(path: Path) -> Deployment:
    try:
        return parse(read_yaml(path), source=str(path))
    except ConfigError as error:
        if error.lines:
            raise
        raise ConfigError(error.source, error.problems, lines_of(Path(path), error.problems)) from None


def lines_of(path: Path, problems: list[tuple[str, str]]) -> dict[str, int]:
    """The line (1-based) of each problem's path in the YAML file: the deepest part of the path the file has
    (a missing field points at the block that lacks it)."""
    import yaml
    try:
        tree = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found = {}
    for where, _ in problems:
        node, line = tree, (tree.start_mark.line + 1 if tree is not None else 1)
        for part in where.split(".") if where != "(file)" else []:
            if isinstance(node, yaml.MappingNode):
                entry = next(((key, value) for key, value in node.value if key.value == part), None)
                if entry is None:
                    break
                line, node = entry[0].start_mark.line + 1, entry[1]      # the key's line
            elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
                node = node.value[int(part)]
                line = node.start_mark.line + 1
            else:
                break
        found[where] = line
    return found


def parse(raw: object, source: str = "<config>") -> Deployment:
    """Validate the shape (pydantic) and the cross-references together: every problem of the file at once."""
    from pydantic import ValidationError

    from chalicelib.county_spec import CountyConfig, cross_references
    problems = []
    try:
        spec = CountyConfig.model_validate(raw)
    except ValidationError as exc:
        spec = None
        problems = [(".".join(str(p) for p in err["loc"]) or "(file)", err["msg"]) for err in exc.errors()]
    problems += [p for p in cross_references(raw) if p not in problems]
    if problems:
        raise ConfigError(source, problems)
    return Deployment.from_spec(spec)


class Deployment:
    """The validated configuration, turned into the domain objects the services use.

    Everything a request of any route needs is plain data or domain objects (the jurisdiction, categories,
    deadline policy, working calendar, the token issuer as written). The file as written (`spec`, pydantic
    objects of chalicelib/county_spec.py) and the parts read from it (assessment policy, point rules,
    supermarkets, privileges, Open311 services) are built when a route first reads them: pickled
    (`__getstate__`: the packaging step's `<name>.pickle`), the spec is kept as its own pickle, read on first use.
    """

    def __init__(self, spec: CountyConfig, jurisdiction: Jurisdiction, categories: dict[str, Category],
                 deadlines: DeadlinePolicy):
        from chalicelib.county_spec import walk_nodes
        from chalicelib.domain.workdays import build_working_calendar
        self.spec = spec
        self.name = spec.name
        self.jurisdiction = jurisdiction
        self.categories = categories
        self.deadlines = deadlines
        self.timezone = ZoneInfo(spec.calendar.timezone)
        self.working_calendar: WorkingCalendar = build_working_calendar(spec.calendar)
        self.grid_boundaries = [(n.code, n.boundary.coordinates) for n in walk_nodes(spec.root) if n.boundary]
        self.boundary_of = dict(self.grid_boundaries)
        # The rest of the file as typed values: the services read these, never `spec` (the file as written).
        self.language: str = spec.language
        self.location_tolerance_m: int = spec.intake.location_tolerance_m
        self.open311_listing: bool = spec.open311.listing
        self.points_previous_month_days: int = spec.points.previous_month_days
        self.sms_provider: str | None = spec.deployment.sms_provider if spec.notifications.sms else None
        oidc = spec.deployment.auth.oidc   # read by every token check: its fields as plain attributes
        self.oidc: SimpleNamespace | None = SimpleNamespace(**oidc.model_dump()) if oidc is not None else None

    def __getstate__(self) -> dict:
        """Without the spec and what is built from it (the cached properties): the spec goes as a pickle of its
        own, so that reading the Deployment back needs neither pydantic's objects nor chalicelib/county_spec.py."""
        from_spec = {name for name, value in vars(Deployment).items() if isinstance(value, functools.cached_property)}
        state = {k: v for k, v in self.__dict__.items() if k not in from_spec}
        state["_spec_pickled"] = pickle.dumps(self.spec, protocol=pickle.HIGHEST_PROTOCOL)
        return state

    @functools.cached_property
    def spec(self) -> CountyConfig:
        """The file as validated (read back from the packaged pickle on first use)."""
        try:
            return pickle.loads(self._spec_pickled)  # nosec B301: part of the package's own file
        except Exception as exc:   # e.g. a package built with another pydantic: the county's file, validated
            logging.getLogger(__name__).warning("%s's spec unreadable (%s): validating the configuration instead",
                                                self.name, exc)
            return _validated_now(self.name).spec

    @functools.cached_property
    def assessment(self) -> AssessmentSpec:
        return self.spec.assessment

    @functools.cached_property
    def point_rules(self) -> tuple[PointRuleSpec, ...]:
        return tuple(self.spec.points.rules)

    @functools.cached_property
    def supermarkets(self) -> dict[str, SupermarketSpec]:
        return {m.id: m for m in self.spec.points.supermarkets}

    @functools.cached_property
    def privileges(self) -> dict[str, PrivilegeSpec]:
        return {x.code: x for x in self.spec.points.privileges}

    @functools.cached_property
    def open311_services(self) -> dict[str, Open311ServiceSpec]:
        return {c.code: c.open311 for c in self.spec.categories}

    def point_rule(self, code: str, grid: str) -> PointRuleSpec | None:
        """The rule of that code in the grid's village catalog, else its township's (None: neither has it)."""
        path = [n.code for n in self.jurisdiction.ancestors(grid)]
        found = [r for r in self.point_rules if r.code == code and r.scope in path]
        return min(found, key=lambda r: path.index(r.scope)) if found else None

    def point_rule_named(self, code: str | None) -> PointRuleSpec | None:
        """The first rule of that code in any catalog (what a ledger entry's `rule` names)."""
        return next((r for r in self.point_rules if r.code == code), None)

    @property
    def calendar(self) -> WorkingCalendar | DrillCalendar:
        """The calendar deadlines are computed on: the county's, or during a local drill the compressed one."""
        from chalicelib.domain.workdays import in_effect
        return in_effect(self.working_calendar)

    @classmethod
    def from_spec(cls, spec: CountyConfig) -> Deployment:
        from chalicelib.county_spec import walk_nodes
        nodes = [Node(code=n.code, level=n.level, names=n.names.model_dump(exclude_none=True),
                      case_prefix=n.case_prefix) for n in walk_nodes(spec.root)]
        departments = [Department(id=d.id, node=d.node, kind=d.kind, names=d.names.model_dump(exclude_none=True))
                       for d in spec.departments]
        categories = {c.code: Category(code=c.code, kind=c.kind, names=c.names.model_dump(exclude_none=True),
                                       public=c.public, sensitive=c.sensitive, complex=c.complex,
                                       routing=Routing(level=c.routing.level, department_kind=c.routing.department_kind))
                      for c in spec.categories}
        policy = {}
        for stage in ("triage", "report_in", "resolve"):
            stage_spec = getattr(spec.deadlines, stage)
            for urgency in Urgency:
                policy[(stage, urgency, False)] = getattr(stage_spec, urgency).to_domain()
                policy[(stage, urgency, True)] = policy[(stage, urgency, False)]
            if stage_spec.normal_complex:
                policy[(stage, "normal", True)] = stage_spec.normal_complex.to_domain()
        for urgency in Urgency:
            for complex_ in (False, True):
                policy[("evaluation", urgency, complex_)] = spec.deadlines.evaluation.to_domain()
        if {k[0] for k in policy} != set(Stage):
            raise ConfigError("deadlines", [("deadlines", "every timed stage needs a policy")])
        return cls(spec, Jurisdiction(nodes, departments), categories, DeadlinePolicy(policy))
