"""The local stack's collector setting: what survives a full collection is frozen, so the next one walks less."""
import gc

from local import collector


def test_what_survives_a_full_collection_leaves_the_generations():
    try:
        collector.keep_pauses_short()
        survivors = [[index] for index in range(5_000)]   # containers the collector tracks, made after start-up
        gc.collect()                                     # a full collection
        walked = {id(o) for o in gc.get_objects()}       # what the next full collection would walk
        assert not walked & {id(s) for s in survivors}
    finally:
        gc.callbacks.remove(collector._freeze_after_full_collection)
        gc.unfreeze()
