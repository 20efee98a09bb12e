"""AWS clients, created lazily once per container from one shared botocore session (Chalice's sample-app pattern).

One session for every client, PynamoDB's included: each session loads botocore's endpoint and service data
afresh, so the clients a first write needs (PynamoDB's DynamoDB client, then Step Functions or SQS for its
effects) cost about a third more from separate sessions (bench/request_overhead.py measures three clients
both ways). PynamoDB makes one session per thread because creating clients is not thread-safe; here every
client is created under one lock instead, and the clients themselves are thread-safe. PynamoDB takes its
session from `pynamodb.connection.base.get_session`: importing this module points it at the shared one
(models.py imports it before any table is used).

The clients are botocore's, made by the session itself: `boto3.client` returns the same client class and adds
nothing the app uses (its S3 transfer methods), while `import boto3` also imports s3transfer, about 100 ms of a
cold start (bench/request_overhead.py).

The session's model loader knows the app's services (SERVICES): botocore checks every name it loads a model for
against a listing of all the services it ships, 445 directories walked twice per container (the service model
and its endpoint rules): about 45 M instructions and 1,800 system calls of a cold start (bench/request_overhead.py).

It also reads botocore's endpoint table narrowed to those services (`ENDPOINTS`, written into the Lambda package
by infra/lambda_package.py from the packaging botocore's own table): the whole table lists every region of every
service (1.25 MB of JSON), decoded by each container's session for the legacy endpoint resolver, about 100 M
instructions of a cold start. The narrowed table keeps every partition and region and, for the app's services,
their entries as they are, so those resolve exactly as with the whole table (tests/integration/test_endpoint_table.py).
It is the packaging botocore's data read by the runtime's botocore: the table's format (version 3) has not changed
since 2016, and its entries for these services change when AWS adds a region or endpoint variant, which the next
package picks up. Where the package has no such file (the local stack, tests) or AWS_DATA_PATH overrides the
table, botocore's own is read.
"""
import functools
import json
import os
import threading
from pathlib import Path

import botocore.loaders
import botocore.session
import pynamodb.connection.base
from botocore.config import Config

from chalicelib import settings

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10,
                 signature_version="s3v4")
_creating = threading.RLock()
# every service the app makes a client for (a client of any other is refused as an unknown service)
SERVICES = ("dynamodb", "stepfunctions", "sqs", "sns", "s3", "ssm", "cognito-idp")


# botocore's endpoint table for SERVICES alone; present in the Lambda package only (module docstring)
ENDPOINTS = Path(__file__).with_name("aws_endpoints.json")


class _AppServicesLoader(botocore.loaders.Loader):
    def list_available_services(self, type_name):
        return sorted(SERVICES)

    def load_data_with_path(self, name):
        if name == "endpoints" and ENDPOINTS.exists():
            found = next((path for path in (os.path.join(base, name) for base in self.search_paths)
                          if self.file_loader.exists(path)), None)
            if found is not None and self.is_builtin_path(found):   # botocore's own table, not an override
                # its path goes with it: the resolver then treats the data as botocore's own (builtin data lets
                # the endpoint rule sets decide the URL), which, for these services, it is
                return json.loads(ENDPOINTS.read_bytes()), found
        return super().load_data_with_path(name)


def endpoints_of_services(table: dict, services=SERVICES) -> dict:
    """botocore's endpoint table (`endpoints.json`) with each partition's services narrowed to `services` (by their
    endpoint prefix, e.g. stepfunctions -> states); every other key is kept as it is."""
    session = botocore.session.get_session()
    prefixes = {session.get_service_model(service).endpoint_prefix for service in services}
    return {**table, "partitions": [{**partition, "services": {
        prefix: entry for prefix, entry in partition["services"].items() if prefix in prefixes}}
        for partition in table["partitions"]]}


class _Session(botocore.session.Session):
    def __init__(self):
        super().__init__()
        # the search paths botocore's own loader would use (AWS_DATA_PATH included), read from one it makes
        paths = botocore.loaders.create_loader(self.get_config_variable("data_path")).search_paths
        self.register_component("data_loader", _AppServicesLoader(extra_search_paths=list(paths),
                                                                  include_default_search_paths=False))

    def create_client(self, *args, **kwargs):
        with _creating:
            return super().create_client(*args, **kwargs)


@functools.lru_cache(maxsize=None)
def botocore_session() -> botocore.session.Session:
    return _Session()


def client(service: str):
    with _creating:
        return _client(service)


@functools.lru_cache(maxsize=None)
def _client(service: str, region: str | None = None):
    return botocore_session().create_client(service, region_name=region or settings.REGION, config=_CONFIG)


def client_in(service: str, region: str):
    """A client of a resource that names its own region (a user pool id starts with it)."""
    with _creating:
        return _client(service, region)


pynamodb.connection.base.get_session = botocore_session
