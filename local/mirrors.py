"""The embedded S3 objects and SQS messages kept on disk, mirrored every second and when the stack stops.

They change far less often than DynamoDB items and are small in number (photos, pending work), so instead of a
journal of requests, a mirror compares what moto holds with what it last wrote and writes the difference:
- S3: one file per object under `s3/<bucket>/` (the key percent-encoded) with its metadata beside it;
- SQS: `sqs.json`, every queue's messages (pending, in flight or dead-lettered) by body and attributes.
A hard kill loses what changed in the last second. Restored messages are visible at once with their receive
counts starting again (every worker handler is idempotent; a deadline notice acts once whatever redelivers it).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote, unquote

from moto.core import DEFAULT_ACCOUNT_ID


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class ObjectMirror:
    def __init__(self, directory: Path, region: str):
        self.directory = Path(directory) / "s3"
        self.region = region
        self._written: dict[tuple[str, str], str] = {}   # (bucket, key) -> fingerprint on disk

    def _backend(self):
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition
        return s3_backends[DEFAULT_ACCOUNT_ID][get_partition(self.region)]

    def restore(self) -> int:
        backend, count = self._backend(), 0
        for bucket_dir in sorted(p for p in self.directory.glob("*") if p.is_dir()):
            bucket = unquote(bucket_dir.name)
            for meta_path in bucket_dir.glob("*.meta.json"):
                meta = json.loads(meta_path.read_text())
                body_path = meta_path.with_name(meta_path.name[: -len(".meta.json")])
                if not body_path.exists():
                    continue
                key = backend.put_object(bucket, meta["key"], body_path.read_bytes(), encryption=meta.get("encryption"),
                                         disable_notification=True)    # its upload event was handled, or is in sqs.json
                key.set_metadata(dict(meta.get("metadata", {})))
                self._written[(bucket, meta["key"])] = meta["fingerprint"]
                count += 1
        return count

    def sync(self) -> None:
        backend = self._backend()
        seen = set()
        for bucket_name, bucket in list(backend.buckets.items()):
            for key_name, key in list(bucket.keys.items()):
                if not hasattr(key, "value"):
                    continue          # a delete marker (versioned buckets only)
                fingerprint = f"{key.etag}|{key.last_modified}"
                seen.add((bucket_name, key_name))
                if self._written.get((bucket_name, key_name)) == fingerprint:
                    continue
                try:
                    body = key.value
                except ValueError:    # replaced or deleted while being read: the next sync sees the new state
                    continue
                path = self.directory / quote(bucket_name, safe="") / quote(key_name, safe="")
                _atomic_write(path, body)
                _atomic_write(path.with_name(path.name + ".meta.json"), json.dumps({
                    "key": key_name, "metadata": dict(key.metadata), "encryption": key.encryption,
                    "fingerprint": fingerprint}).encode())
                self._written[(bucket_name, key_name)] = fingerprint
        for bucket_name, key_name in set(self._written) - seen:
            path = self.directory / quote(bucket_name, safe="") / quote(key_name, safe="")
            path.with_name(path.name + ".meta.json").unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            del self._written[(bucket_name, key_name)]


class MessageMirror:
    def __init__(self, directory: Path, region: str):
        self.path = Path(directory) / "sqs.json"
        self.region = region
        self._written: dict[str, tuple] = {}

    def _backend(self):
        from moto.sqs.models import sqs_backends
        return sqs_backends[DEFAULT_ACCOUNT_ID][self.region]

    def restore(self) -> int:
        if not self.path.exists():
            return 0
        backend, count = self._backend(), 0
        saved = json.loads(self.path.read_text())
        for queue_name, messages in saved.items():
            if queue_name not in backend.queues:
                continue      # a queue the stack no longer creates
            for message in messages:
                backend.send_message(queue_name, message["body"], message_attributes=message.get("attributes") or None)
                count += 1
        self._written = {name: () for name in saved}     # written again at the first sync
        return count

    def sync(self) -> None:
        backend = self._backend()
        contents, fingerprints = {}, {}
        for name, queue in list(backend.queues.items()):
            with queue._messages_lock:
                messages = list(queue._messages)
            fingerprints[name] = tuple(m.id for m in messages)
            contents[name] = [{"body": m.body, "attributes": m.message_attributes} for m in messages]
        if fingerprints != self._written:
            _atomic_write(self.path, json.dumps(contents, default=str).encode())   # (the app sets no attributes)
            self._written = fingerprints

