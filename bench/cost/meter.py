"""Billing units as AWS counts them, for requests the adapters would send (DynamoDB items in wire format).

DynamoDB rules used (developer guide, "Item sizes and formats" and "Read/write capacity mode"):
- an item's size is the sum of its attribute names and values; a string is its UTF-8 length, a number about
  one byte per two significant digits plus one, a boolean or null one byte, a map or list 3 bytes plus its
  elements (and their names) plus one byte per element;
- a write costs 1 WRU per KB of the larger of the item before and after; transactional writes cost double;
- a read costs 1 RRU per 4 KB when strongly consistent, 0.5 when eventually consistent; a Query sums the sizes
  of what it reads before rounding; a read of a missing item still costs the minimum;
- a global secondary index is written when an item enters it, leaves it, or changes a projected attribute
  (a key change is a delete plus a put), at 1 WRU per KB of the projected item, never doubled.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


def value_size(value: dict) -> int:
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = v.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind in ("SS", "NS"):
        return sum(value_size({kind[0]: x}) for x in v)
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size_bytes: int, transactional: bool = False) -> int:
    return max(1, math.ceil(size_bytes / 1024)) * (2 if transactional else 1)


def read_units(size_bytes: int, consistent: bool) -> float:
    return max(1, math.ceil(size_bytes / 4096)) * (1.0 if consistent else 0.5)


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projected: tuple[str, ...] | None   # None: every attribute


def indexes_by_table() -> dict[str, list[Index]]:
    """The global secondary indexes of every table, read from the one table definition (models.py)."""
    from chalicelib.adapters.models import ALL_MODELS
    out: dict[str, list[Index]] = {}
    for model in ALL_MODELS:
        table_keys = tuple(a.attr_name for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key)
        for index in model._indexes.values():
            keys = tuple(a.attr_name for a in index.Meta.attributes.values() if a.is_hash_key or a.is_range_key)
            projection = index.Meta.projection
            projected = None if projection.projection_type == "ALL" else \
                tuple(dict.fromkeys(keys + table_keys + tuple(getattr(projection, "non_key_attributes", None) or ())))
            out.setdefault(model.Meta.table_name, []).append(Index(index.Meta.index_name, keys, projected))
    return out


@dataclass
class Bill:
    """What one simulated year used: billing units per service and calls per operation."""
    units: Counter = field(default_factory=Counter)      # (service, unit) -> amount
    calls: Counter = field(default_factory=Counter)      # (service, operation) -> count

    def add(self, service: str, unit: str, amount: float = 1) -> None:
        self.units[(service, unit)] += amount

    def call(self, service: str, operation: str, count: int = 1) -> None:
        self.calls[(service, operation)] += count


class DynamoMeter:
    """Sizes of what the tables hold (only what billing needs: size and index keys) and the units each
    request would consume."""

    def __init__(self, bill: Bill):
        self.bill = bill
        self.indexes = indexes_by_table()
        self.stored: dict[tuple, tuple[int, dict]] = {}   # (table, key) -> (size, {index: projected image})
        self.wru_by_table: Counter = Counter()

    def _write(self, where: str, units: int) -> None:
        self.bill.add("dynamodb", "WRU", units)
        self.wru_by_table[where.removeprefix(_PREFIX())] += units

    @staticmethod
    def _key(table: str, item: dict) -> tuple:
        return (table,) + tuple(sorted((k, str(v)) for k, v in item.items() if k in _KEY_NAMES.get(table, ())))

    def _images(self, table: str, item: dict) -> dict:
        images = {}
        for index in self.indexes.get(table, []):
            if all(k in item for k in index.keys):
                projected = item if index.projected is None else {a: item[a] for a in index.projected if a in item}
                images[index.name] = (tuple(str(item[k]) for k in index.keys), item_size(projected),
                                      hash(repr(sorted(projected.items()))))
        return images

    def put(self, table: str, item: dict, transactional: bool) -> None:
        key = self._key(table, item)
        size = item_size(item)
        old_size, old_images = self.stored.get(key, (0, {}))
        self._write(table, write_units(max(size, old_size), transactional))
        images = self._images(table, item)
        for name in set(images) | set(old_images):
            new, old = images.get(name), old_images.get(name)
            if new and old and new[2] == old[2]:
                continue                                   # nothing projected changed: no index write
            if old and (not new or new[0] != old[0]):
                self._write(f"{table} index {name}", write_units(old[1]))   # leaves the index (or moves)
            if new:
                self._write(f"{table} index {name}", write_units(new[1]))
        self.stored[key] = (size, images)

    def update_to(self, table: str, item_after: dict, transactional: bool) -> None:
        """An UpdateItem whose result is `item_after` (counters: ADD)."""
        self.put(table, item_after, transactional)

    def read(self, table: str, key_item: dict, consistent: bool) -> None:
        size = self.stored.get(self._key(table, key_item), (0, {}))[0]
        self.bill.add("dynamodb", "RRU", read_units(size, consistent))

    def size_of(self, table: str, key_item: dict) -> int:
        return self.stored.get(self._key(table, key_item), (0, {}))[0]

    def query(self, sizes: list[int], consistent: bool = False) -> None:
        self.bill.add("dynamodb", "RRU", read_units(sum(sizes), consistent))


def _PREFIX() -> str:
    from chalicelib import settings
    return settings.TABLE_PREFIX


_KEY_NAMES: dict[str, tuple[str, ...]] = {}


def register_keys() -> None:
    """Which attributes form each table's primary key (from models.py)."""
    from chalicelib.adapters.models import ALL_MODELS
    for model in ALL_MODELS:
        _KEY_NAMES[model.Meta.table_name] = tuple(a.attr_name for a in model.get_attributes().values()
                                                  if a.is_hash_key or a.is_range_key)


register_keys()
