"""What `make run` stores survives Ctrl-C and a restart: one directory per county, `.local/data/<county>/`.

moto keeps everything in memory (DynamoDB Local cannot be installed here, and dynalite has no transactions), so
the embedded AWS is given a disk of its own:
- DynamoDB items (cases, timelines, counters, idempotency keys, households, points, outbox...): a snapshot plus a
  journal of every answered write's after-images (local/dynamo_journal.py). A killed stack loses no answered
  write; a crash of the machine at most about a second.
- S3 objects (photos) and SQS messages (pending work, dead letters): mirrored every second and at stop
  (local/mirrors.py). A killed stack loses at most the last second of them.
- Step Functions executions are not kept: at start every open case's timers are started again from its
  deadlines (local/timers.py), so a deadline that passed while the stack was stopped fires right after start.
Resources (tables, queues, bucket, state machine) are created at every start from their one definition, then
the data is put back into them.

A lock file keeps a second stack off the same directory; `make reset` deletes the directory.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from moto.core import DEFAULT_ACCOUNT_ID

from local.dynamo_journal import DynamoJournal
from local.mirrors import MessageMirror, ObjectMirror

SYNC_EVERY_SECONDS = 1.0


class InUse(Exception):
    """Another running stack holds the directory."""


@dataclass
class Restored:
    items: int
    objects: int
    messages: int

    @property
    def anything(self) -> bool:
        return bool(self.items or self.objects or self.messages)


class LocalData:
    """`kept=False` (GRIDLOOP_DATA=memory): nothing is read or written, as moto alone (to measure what keeping
    costs, or for a throwaway run)."""

    def __init__(self, directory: Path, region: str, kept: bool = True):
        self.directory = Path(directory)
        self.region = region
        self.kept = kept
        self.journal = DynamoJournal(self.directory)
        self.objects = ObjectMirror(self.directory, region)
        self.messages = MessageMirror(self.directory, region)
        self._lock_file = None
        self._stop = threading.Event()
        self._syncer: threading.Thread | None = None

    # -- ownership -------------------------------------------------------------------------------------------
    def lock(self) -> "LocalData":
        if not self.kept:
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = (self.directory / "lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise InUse(f"{self.directory} is in use by another running Gridloop stack (pid {holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle      # released by the OS when this process ends, however it ends
        return self

    @property
    def seeded(self) -> bool:
        return self.kept and (self.directory / "seeded").exists()

    def mark_seeded(self) -> None:
        if not self.kept:
            return
        self.journal.sync()
        (self.directory / "seeded").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    # -- start, run, stop ------------------------------------------------------------------------------------
    def restore(self) -> Restored:
        """Put the kept data into the freshly created resources (before anything else talks to them)."""
        if not self.kept:
            return Restored(0, 0, 0)
        from moto.dynamodb.models import dynamodb_backends
        items = self.journal.restore(dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region])
        return Restored(items, self.objects.restore(), self.messages.restore())

    def start(self) -> "LocalData":
        if not self.kept:
            return self
        self.journal.start()
        self._syncer = threading.Thread(target=self._sync_loop, name="local-data", daemon=True)
        self._syncer.start()
        return self

    def _sync_loop(self) -> None:
        while not self._stop.wait(SYNC_EVERY_SECONDS):
            self.sync()

    def sync(self) -> None:
        for part in (self.journal, self.objects, self.messages):
            try:
                part.sync()
            except Exception as error:   # a failed mirror is retried next second; the stack keeps serving
                print(f"local data: could not save {type(part).__name__}: {error!r}", flush=True)

    def stop(self) -> None:
        if not self.kept:
            return
        self._stop.set()
        if self._syncer:
            self._syncer.join(timeout=5)
        self.sync()
        self.journal.stop()


def reset(directory: Path) -> bool:
    """Delete a county's local data (refused while a stack holds it). True if there was anything to delete."""
    directory = Path(directory)
    if not directory.exists():
        return False
    LocalData(directory, "").lock()   # raises InUse while a stack runs on it
    shutil.rmtree(directory)
    return True
