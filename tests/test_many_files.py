"""Many real files: made in a temporary folder, read three ways, always removed."""

from __future__ import annotations

import pytest

from helpers.many_files import WAYS, FileHeap, time_reading


def test_every_way_reads_every_byte_and_the_folder_goes():
    with FileHeap(count=50, size=1000) as heap:
        assert len(heap.paths) == 50
        for way in WAYS:
            seconds, total = time_reading(way, heap.paths, repeats=1)
            assert total == 50_000 and seconds > 0
    assert not heap.folder.exists()


def test_the_folder_goes_on_an_error_too():
    with pytest.raises(RuntimeError):
        with FileHeap(count=3, size=10) as heap:
            raise RuntimeError
    assert not heap.folder.exists()


@pytest.mark.parametrize("count, size", [(0, 10), (20_001, 10), (5, -1), (5, 10**8), ("5", 10)])
def test_bad_sizes_are_refused(count, size):
    with pytest.raises(ValueError):
        FileHeap(count, size)


def test_unknown_way_is_refused():
    with pytest.raises(ValueError):
        time_reading("mmap", [])
