"""moto's TransactWriteItems, rolled back from an undo log of the items it touches instead of whole-table copies.

moto deep-copies every table a transaction names before applying it, to restore them if it is cancelled: the
cost grows with the tables (about 60% of the embedded server's CPU after a hundred cases, and seconds a
transaction after a few hundred), and every other DynamoDB request waits behind it. Because the embedded server
runs one DynamoDB request at a time (moto_server.SerialisedDynamoDB), nothing but the transaction itself changes
the tables while it runs, so restoring the items it touches, as they were before, is the same rollback.

Only moto's own snapshot is switched off (inside moto.dynamodb.models, a Table deep-copies to itself); its
checks, its order of operations and its errors are unchanged.
"""
from __future__ import annotations

import copy
import functools
import types

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_real_deepcopy = copy.deepcopy


def _deepcopy_all_but_tables(value, memo=None):
    return value if isinstance(value, Table) else _real_deepcopy(value, memo)


def _key_of(table: Table, op_type: str, op: dict):
    attrs = op["Item"] if op_type == "Put" else op["Key"]
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _before_images(backend, transact_items: list) -> list:
    """(table, hash, range, a copy of the item or None) for each item the transaction names, first mention."""
    images, seen = [], set()
    for entry in transact_items:
        try:
            op_type, op = next(iter(entry.items()))
            table = backend.tables[op["TableName"]]
            hash_value, range_value = _key_of(table, op_type, op)
        except (KeyError, StopIteration, AttributeError, TypeError):
            continue   # moto rejects this operation before it changes anything
        marker = (id(table), hash_value, range_value)
        if marker not in seen:
            seen.add(marker)
            current = table.get_item(hash_value, range_value)
            images.append((table, hash_value, range_value, _real_deepcopy(current)))
    return images


def _restore(images: list) -> None:
    for table, hash_value, range_value, before in reversed(images):
        if range_value is None:
            if before is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = before
        elif before is None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items[hash_value][range_value] = before


def install() -> None:
    """Idempotent: patch the DynamoDB backend of this process's moto."""
    backend_class = dynamodb_models.DynamoDBBackend
    if getattr(backend_class.transact_write_items, "undo_log", False):
        return
    dynamodb_models.copy = types.SimpleNamespace(deepcopy=_deepcopy_all_but_tables)  # the module's `copy` only
    moto_transact = backend_class.transact_write_items

    @functools.wraps(moto_transact)
    def transact_write_items(self, transact_items):
        images = _before_images(self, transact_items)
        try:
            return moto_transact(self, transact_items)
        except BaseException:
            _restore(images)
            raise

    transact_write_items.undo_log = True
    backend_class.transact_write_items = transact_write_items
