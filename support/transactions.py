"""Every TransactWriteItems the app sends carries a ClientRequestToken of its own (chalicelib/adapters/dynamo.py).

The app's calls are those chalicelib code made, whichever function runs it (services driven directly by the
integration tier included); a test's own transactions are not checked.

A listener of the recorder (support/calls.py) that sees each call once as the app sends it (botocore's own
retries of that request, which rightly resend its token, are not new calls). A transaction without a token, or
with one an earlier transaction used, is a violation: the pytest plugin fails the test that sent it.
"""
from __future__ import annotations

import threading


class TokenCheck:
    def __init__(self, sink=None):
        self.sink = sink                    # a subprocess writes its violations here (support/boot)
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.violations: list[str] = []
        self.checked = 0

    def before(self, call):
        if (call.service, call.operation) != ("dynamodb", "TransactWriteItems") or not call.site:
            return None       # not a transaction, or not the app's (no chalicelib frame led to it: a test's own)
        token = call.params.get("ClientRequestToken")
        where = f" at {call.site[0]}" if call.site else ""
        with self.lock:
            self.checked += 1
            if not token:
                self.violations.append(f"{call.function or 'the app'} sent a TransactWriteItems without a "
                                       f"ClientRequestToken{where}")
            elif token in self.seen:
                self.violations.append(f"{call.function or 'the app'} sent a new TransactWriteItems under the "
                                       f"ClientRequestToken {token} of an earlier one{where}")
            else:
                self.seen.add(token)
                return None
            found = self.violations[-1]
        if self.sink:
            self.sink({"violation": found})
        return None

    def after(self, call):
        return None
