"""The embedded DynamoDB's items kept on disk: a snapshot plus a journal of every committed write's after-images.

moto keeps nothing on disk. Every DynamoDB request already runs alone under the embedded server's lock
(local/moto_server.py), so the items a request changed are known when it answers: moto's put, update and delete
of an item (which its transactions and batch writes also go through) note the item's key, and when the request
succeeds the items as they are now (or their absence) are appended to `journal.jsonl` as one line, before the
lock is released. A failed request (a cancelled transaction, a failed condition) writes nothing. The line is
handed to the operating system at once, so killing the process loses no answered write; `sync()` (every second)
also asks the OS to put it on the disk, so a crash of the machine loses at most about a second.

At start, `restore()` reads `snapshot.jsonl` and then the journal (the last image of an item wins), puts every
item into moto, writes the result as the new snapshot and empties the journal: the journal holds one run's writes.

Line format: `[[table, key, item or null], ...]`, the key and item in DynamoDB's JSON (`{"S": "..."}`).
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path

from moto.dynamodb import models as dynamodb_models

SNAPSHOT, JOURNAL = "snapshot.jsonl", "journal.jsonl"
_active: list["DynamoJournal"] = []     # the journal moto's patched methods report to (none: no persistence)


def _backend_class():
    return dynamodb_models.DynamoDBBackend


def _install_hooks() -> None:
    """Idempotent: moto's item writes note (table, key) on the active journal, once they succeeded."""
    backend_class = _backend_class()
    if getattr(backend_class.put_item, "journaled", False):
        return
    real_put, real_update, real_delete = backend_class.put_item, backend_class.update_item, backend_class.delete_item

    def put_item(self, table_name, item_attrs, *args, **kwargs):
        result = real_put(self, table_name, item_attrs, *args, **kwargs)
        if _active:
            table = self.get_table(table_name)
            key = {table.hash_key_attr: item_attrs[table.hash_key_attr]}
            if table.range_key_attr:
                key[table.range_key_attr] = item_attrs[table.range_key_attr]
            _active[0].touched(self, table_name, key)
        return result

    def update_item(self, table_name, key, *args, **kwargs):
        result = real_update(self, table_name, key, *args, **kwargs)
        if _active:
            _active[0].touched(self, table_name, key)
        return result

    def delete_item(self, table_name, key, *args, **kwargs):
        result = real_delete(self, table_name, key, *args, **kwargs)
        if _active:
            _active[0].touched(self, table_name, key)
        return result

    for patched in (put_item, update_item, delete_item):
        patched.journaled = True
    backend_class.put_item, backend_class.update_item, backend_class.delete_item = put_item, update_item, delete_item


def _wire(value) -> dict:
    """A moto DynamoType as DynamoDB's JSON, nested maps and lists included (binary as base64, as on the wire)."""
    if value.type == "M":
        return {"M": {name: _wire(inner) for name, inner in value.value.items()}}
    if value.type == "L":
        return {"L": [_wire(inner) for inner in value.value]}
    raw = value.value
    if isinstance(raw, bytes):
        raw = base64.b64encode(raw).decode()
    elif value.type == "BS":
        raw = [base64.b64encode(v).decode() if isinstance(v, bytes) else v for v in raw]
    return {value.type: raw}


def _key_text(table: str, key: dict) -> str:
    return json.dumps([table, key], sort_keys=True, separators=(",", ":"))


class DynamoJournal:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._touched: dict[str, tuple] = {}     # key text -> (backend, table, key), for the request under way
        self._file = None
        self._unsynced = False
        self._lock = threading.Lock()
        self.lines = 0
        self.bytes = 0
        self.seconds = 0.0       # spent journaling, inside the DynamoDB lock (what every write waits for)

    # -- start -------------------------------------------------------------------------------------------------
    def restore(self, backend) -> int:
        """Load the snapshot and the journal into moto's tables, compact them into a new snapshot; item count."""
        items: dict[str, tuple[str, dict, dict | None]] = {}
        for name in (SNAPSHOT, JOURNAL):
            path = self.directory / name
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        writes = json.loads(line)
                    except ValueError:
                        break   # a line cut short by a kill: everything before it was answered and is kept
                    for table, key, item in writes:
                        items[_key_text(table, key)] = (table, key, item)
        live = [(table, key, item) for table, key, item in items.values() if item is not None]
        for table, _, item in live:
            backend.put_item(table, item)
        self._write_snapshot(live)
        return len(live)

    def _write_snapshot(self, live: list) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / (SNAPSHOT + ".new")
        with temporary.open("w", encoding="utf-8") as out:
            for entry in live:
                out.write(json.dumps([entry], separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.directory / SNAPSHOT)
        # Emptied only once the snapshot holding its writes is in place (a kill in between replays it: same items)
        (self.directory / JOURNAL).write_text("")

    def start(self) -> "DynamoJournal":
        _install_hooks()
        self._file = (self.directory / JOURNAL).open("a", encoding="utf-8")
        _active[:] = [self]
        return self

    # -- while running (called under the embedded server's DynamoDB lock) ---------------------------------------
    def touched(self, backend, table: str, key: dict) -> None:
        self._touched[_key_text(table, key)] = (backend, table, key)

    def request_done(self, succeeded: bool) -> None:
        touched, self._touched = self._touched, {}
        if not (succeeded and touched and self._file):
            return
        began = time.perf_counter()
        writes = []
        for backend, table, key in touched.values():
            found = backend.get_table(table)
            hash_value, range_value = backend.get_keys_value(found, key)
            item = found.get_item(hash_value, range_value)
            image = {name: _wire(value) for name, value in item.attrs.items()} if item is not None else None
            writes.append([table, key, image])
        line = json.dumps(writes, separators=(",", ":")) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()          # in the OS's hands: a killed process loses nothing answered
            self._unsynced = True
            self.lines += 1
            self.bytes += len(line)
            self.seconds += time.perf_counter() - began

    def sync(self) -> None:
        with self._lock:
            if self._file and self._unsynced:
                os.fsync(self._file.fileno())
                self._unsynced = False

    def stop(self) -> None:
        if self in _active:
            _active.clear()
        self.sync()
        with self._lock:
            if self._file:
                self._file.close()
                self._file = None
