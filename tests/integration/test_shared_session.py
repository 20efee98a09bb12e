"""Every AWS client of a container comes from one botocore session: PynamoDB's (which otherwise makes one per
thread) and boto3's, so botocore's endpoint and service data are loaded once (bench/request_overhead.py)."""
import threading


def test_pynamodb_in_any_thread_and_boto3_clients_use_the_one_session():
    from chalicelib.adapters import aws, models
    connection = models.CaseItem._get_connection().connection
    seen = []
    worker = threading.Thread(target=lambda: seen.append(connection.session))
    worker.start()
    worker.join()
    assert connection.session is aws.botocore_session() and seen == [aws.botocore_session()]
    assert aws.session()._session is aws.botocore_session()


def test_clients_created_at_once_from_threads_are_each_made_once():
    from chalicelib.adapters import aws
    made = []
    threads = [threading.Thread(target=lambda: made.append(aws.client("sqs"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and all(c is made[0] for c in made)
