"""A local endpoint on 127.0.0.1 that answers the AWS JSON-protocol requests a first `POST /cases` makes with
well-formed empty answers: the app's real clients sign, send and parse them, and nothing leaves the machine.

It stands in for the network only: no state, no checks (the cold-start benchmark times the app, not AWS).
DynamoDB (BatchGetItem, Query, TransactWriteItems, BatchWriteItem, ...), Step Functions (StartExecution,
StopExecution) and SQS (SendMessage) are answered; anything else gets 400 so an unexpected call shows.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DYNAMODB = {"BatchGetItem": {"Responses": {}, "UnprocessedKeys": {}},
            "Query": {"Items": [], "Count": 0, "ScannedCount": 0},
            "GetItem": {}, "PutItem": {}, "UpdateItem": {}, "DeleteItem": {}, "TransactWriteItems": {},
            "BatchWriteItem": {"UnprocessedItems": {}}, "DescribeTable": {}}


def answer(target: str, body: dict) -> dict | None:
    service, _, operation = target.partition(".")
    if service.startswith("DynamoDB"):
        return DYNAMODB.get(operation)
    if service == "AWSStepFunctions" and operation == "StartExecution":
        arn = body["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":" + body.get("name", "x")
        return {"executionArn": arn, "startDate": 1767225600.0}
    if service == "AWSStepFunctions" and operation == "StopExecution":
        return {"stopDate": 1767225600.0}
    if service == "AmazonSQS" and operation == "SendMessage":
        return {"MessageId": "00000000-0000-0000-0000-000000000000",
                "MD5OfMessageBody": hashlib.md5(body["MessageBody"].encode()).hexdigest()}
    return None


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("x-amz-target", "")
        self.server.seen[target] += 1
        result = answer(target, body)
        payload = json.dumps(result if result is not None else {"__type": "UnknownOperationException"}).encode()
        self.send_response(200 if result is not None else 400)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class CannedAWS:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.seen = Counter()   # requests by X-Amz-Target
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "CannedAWS":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
