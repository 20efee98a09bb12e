"""Every AWS client of a container comes from one botocore session: PynamoDB's (which otherwise makes one per
thread) and the app's own, so botocore's endpoint and service data are loaded once (bench/request_overhead.py)."""
import threading


def test_pynamodb_in_any_thread_and_the_app_clients_use_the_one_session():
    from chalicelib.adapters import aws, models
    connection = models.CaseItem._get_connection().connection
    seen = []
    worker = threading.Thread(target=lambda: seen.append(connection.session))
    worker.start()
    worker.join()
    assert connection.session is aws.botocore_session() and seen == [aws.botocore_session()]
    made = []
    aws.botocore_session().register("creating-client-class.sns", lambda **kwargs: made.append(kwargs))
    aws._client.cache_clear()
    aws.client("sns")
    assert len(made) == 1


def test_the_api_cold_path_does_not_import_boto3():
    """boto3 adds nothing the app's clients use, and importing it (s3transfer with it) is a tenth of a second."""
    import subprocess
    import sys
    probe = ("import sys, app\n"
             "from chalicelib.adapters import aws, outbox, photo_store, unit_of_work\n"
             "[aws.client(s) for s in ('dynamodb', 'stepfunctions', 'sqs', 's3', 'sns')]\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 's3transfer')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "AWS_DEFAULT_REGION": "cn-northwest-1"})
    assert out.stdout.strip() == "[]"


def test_clients_created_at_once_from_threads_are_each_made_once():
    from chalicelib.adapters import aws
    made = []
    threads = [threading.Thread(target=lambda: made.append(aws.client("sqs"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and all(c is made[0] for c in made)


def test_every_table_goes_through_the_containers_one_dynamodb_client(tables):
    """PynamoDB would give each model class a client (and an HTTPS connection pool) of its own. (The client is
    made here after the embedded AWS has set its endpoint: made before, it would be kept pointing at AWS.)"""
    from chalicelib.adapters import dynamo, models
    clients = {id(model._get_connection().connection.client) for model in models.ALL_MODELS}
    assert clients == {id(dynamo.connection().client)}


def test_the_session_loads_the_models_of_the_apps_services_without_listing_all_of_botocores():
    """botocore checks every service name against a listing of the ~400 services it ships (two walks of its data
    directory per container); the app's session answers with the services it uses, and still loads their models
    from botocore's own data."""
    import os

    import botocore.exceptions
    import botocore.loaders
    import pytest
    from chalicelib.adapters import aws
    listed = []
    real_listdir = os.listdir
    try:
        os.listdir = lambda path=".": listed.append(path) or real_listdir(path)
        session = aws._Session()
        for service in aws.SERVICES:
            assert session.create_client(service, region_name="cn-northwest-1").meta.service_model.service_name
    finally:
        os.listdir = real_listdir
    data = os.path.dirname(botocore.loaders.__file__)
    walked = {path for path in listed if os.path.dirname(path.rstrip("/")) == os.path.join(data, "data")}
    assert len(walked) <= len(aws.SERVICES)   # each service's own directory at most, never the other ~400
    with pytest.raises(botocore.exceptions.UnknownServiceError):
        session.create_client("ec2", region_name="cn-northwest-1")


def test_every_service_the_app_makes_clients_for_has_its_iam_actions_mapped():
    """The grants check maps each recorded call to IAM actions by service: a service added to the session's list
    without a mapping would leave its calls unchecked."""
    from chalicelib.adapters import aws
    from support import iam_actions
    assert set(aws.SERVICES) == set(iam_actions.SERVICES)
