"""Moving data between processes: every channel measured, checked inputs, nothing left behind."""

from __future__ import annotations

import multiprocessing

import pytest

from helpers import data_transfer as dt
from helpers import transfer_patterns
from helpers.engine.census import live_children

METHODS = multiprocessing.get_all_start_methods()


@pytest.fixture
def created_blocks(monkeypatch):
    """Names of the shared-memory blocks this process creates during the test (others' blocks don't count)."""
    from multiprocessing import shared_memory

    names: list[str] = []
    original = shared_memory.SharedMemory

    class Recording(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if kwargs.get("create"):
                names.append(self.name)

    monkeypatch.setattr(shared_memory, "SharedMemory", Recording)
    return names


def still_there(names: list[str]) -> list[str]:
    from multiprocessing import shared_memory

    left = []
    for name in names:
        try:
            block = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            continue
        left.append(name)
        block.close()
        block.unlink()
    return left


@pytest.mark.parametrize("bad", [0, -5, dt.MAX_SIZE + 1, 1.5, "1000", True, None])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="size"):
        dt.check_size(bad)
    with pytest.raises(ValueError):
        dt.measure_channel("queue", [bad])


@pytest.mark.parametrize("bad", ["socket", None, 3])
def test_unknown_channels_are_refused_before_any_process_starts(bad):
    with pytest.raises(ValueError, match="channel"):
        dt.measure_channels([1000], [bad])
    assert live_children() == []


def test_bad_repeats_and_empty_sizes_are_refused():
    with pytest.raises(ValueError, match="repeats"):
        dt.measure_channel("pipe", [1000], repeats=0)
    with pytest.raises(ValueError, match="at least one"):
        dt.measure_channel("pipe", [])


@pytest.mark.parametrize("method", METHODS)
def test_every_channel_carries_every_size_and_leaves_nothing(method, created_blocks):
    transfers = dt.measure_channels([1000, 200_000], repeats=2, start_method=method)
    assert list(transfers) == list(dt.CHANNELS)
    for transfer in transfers.values():
        assert transfer.start_method == method and len(transfer.seconds) == 2
        assert all(0 < t < 10 for t in transfer.seconds)
        assert "KB" in transfer.table()
    assert live_children() == []
    assert len(created_blocks) >= 2 and still_there(created_blocks) == []


def test_an_interrupt_inside_unlink_is_still_an_interrupt(created_blocks, monkeypatch):
    """■ pressed while unlink() runs, after the block left /dev/shm (seen once in CI): KeyboardInterrupt, nothing
    left."""
    from multiprocessing import shared_memory

    real_unlink = shared_memory.SharedMemory.unlink
    interrupted = []

    def unlink_then_interrupt(block):
        real_unlink(block)
        if not interrupted:
            interrupted.append(block.name)
            raise KeyboardInterrupt

    monkeypatch.setattr(shared_memory.SharedMemory, "unlink", unlink_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        dt.measure_channel("shared_memory", [1000], repeats=1, start_method="spawn")
    assert interrupted and live_children() == []
    assert still_there(created_blocks) == []


def test_a_reused_block_beats_pickling_through_a_queue_for_big_payloads():
    # Ratio within one run, generous margin: copying 20 MB once vs pickling + piping it.
    transfers = dt.measure_channels([20_000_000], ["queue", "array"], repeats=3)
    assert transfers["array"].seconds[0] < transfers["queue"].seconds[0]


def test_crossover_is_the_first_size_from_which_fast_always_wins():
    slow = dt.Transfer("queue", "fork", [1, 2, 3, 4], [1.0, 1.0, 1.0, 1.0])
    assert dt.crossover(slow, dt.Transfer("x", "fork", [1, 2, 3, 4], [2, 0.5, 2, 0.5])) == 4
    assert dt.crossover(slow, dt.Transfer("x", "fork", [1, 2, 3, 4], [2, 0.5, 0.5, 0.5])) == 2
    assert dt.crossover(slow, dt.Transfer("x", "fork", [1, 2, 3, 4], [2, 2, 2, 2])) is None
    with pytest.raises(ValueError):
        dt.crossover(slow, dt.Transfer("x", "fork", [1], [1.0]))


def test_course_sizes_stop_at_1_mb_under_test(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")
    sizes, why = dt.course_sizes()
    assert sizes[0] == 1000 and max(sizes) <= 1_000_000 and "COURSE_TIME_SCALE" in why
    monkeypatch.setenv("COURSE_TIME_SCALE", "1")
    monkeypatch.setattr(dt, "available_memory", lambda: 100_000_000)  # 100 MB free: stop at 10 MB
    sizes, why = dt.course_sizes()
    assert max(sizes) == 10_000_000 and "memory" in why


@pytest.mark.parametrize("method", METHODS)
def test_start_with_payload_hands_the_child_its_argument(method):
    assert 0 < transfer_patterns.start_with_payload(100_000, method) < 30
    assert live_children() == []


def test_many_small_pieces_cost_more_than_one_big_one():
    big = min(transfer_patterns.send_in_pieces(1_000_000, 1_000_000) for _ in range(3))
    small = min(transfer_patterns.send_in_pieces(1_000_000, 100) for _ in range(3))
    assert small > 2 * big  # 10 000 messages vs 1: the fixed cost per message dominates
    with pytest.raises(ValueError, match="larger"):
        transfer_patterns.send_in_pieces(100, 1000)
    with pytest.raises(ValueError, match="too many"):
        transfer_patterns.send_in_pieces(100_000_000, 1)


def test_payload_is_the_size_asked_and_not_all_alike():
    data = dt.payload(1000)
    assert len(data) == 1000 and len(set(data)) == 256


def test_the_benchmarks_comparison_reports_ratios_and_crossover():
    figures = dt.compare_shared_memory_and_queue([1000, 100_000], repeats=1)
    assert set(figures["transfers"]) == {"queue", "shared_memory", "array"}
    assert figures["largest"] == 100_000 and figures["ratio_fresh"] > 0 and figures["ratio_reused"] > 0
    assert figures["crossover"] in (None, 1000, 100_000)


@pytest.mark.parametrize("method", METHODS)
def test_a_child_sums_a_numpy_array_in_a_shared_block_without_a_copy(method, created_blocks):
    np = pytest.importorskip("numpy")
    from multiprocessing import shared_memory

    context = multiprocessing.get_context(method)
    numbers = np.arange(10_000, dtype=np.float64)
    block = shared_memory.SharedMemory(create=True, size=numbers.nbytes)
    try:
        in_block = np.ndarray(numbers.shape, dtype=numbers.dtype, buffer=block.buf)
        in_block[:] = numbers
        in_block[-1] = 0.5  # written after the copy: only a child reading the block itself sees it
        results = context.Queue()
        child = context.Process(target=dt.sum_shared_array, args=(block.name, len(numbers), results))
        child.start()
        total = results.get(timeout=60)
        child.join(30)
        del in_block
    finally:
        block.close()
        block.unlink()
    assert total == numbers[:-1].sum() + 0.5 and child.exitcode == 0
    assert not still_there(created_blocks) and not live_children()


@pytest.mark.parametrize("method", METHODS)
def test_an_echo_child_ends_quietly_when_ctrl_c_reaches_it(method, capfd):
    """A terminal's Ctrl-C and Jupyter's ■ reach the children too: the echo child ends at once (exit code 0), with
    no KeyboardInterrupt traceback, and EchoChannel.close() still reaps it."""
    import os
    import signal

    link = dt.EchoChannel("pipe", multiprocessing.get_context(method), 1000)
    try:
        link.round_trip(dt.payload(1000))  # the child is in its loop: the signal meets the echo function
        os.kill(link.process.pid, signal.SIGINT)
        link.process.join(10)
        assert link.process.exitcode == 0
    finally:
        link.close()
    assert live_children() == []
    assert "Traceback" not in capfd.readouterr().err


ORPHAN_PARENT = """
import multiprocessing, os, signal, sys
from helpers import data_transfer as dt
link = dt.EchoChannel(sys.argv[1], multiprocessing.get_context(sys.argv[2]), 1000)
link.round_trip(dt.payload(1000))
print(link.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # killed outright: no close(), no atexit, nothing stops the child
"""


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("channel", ["queue", "pipe"])
def test_an_echo_child_whose_parent_was_killed_ends_by_itself(channel, method, tmp_path):
    """Before, such a child waited for its next payload for ever (fork: it holds both ends of its pipe or queue)."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import psutil

    root = Path(__file__).resolve().parent.parent
    out, err = tmp_path / "out", tmp_path / "err"
    # The killed parent cannot remove multiprocessing's temporary folder (the fork server's socket): it goes in
    # tmp_path, which pytest removes, not in /tmp.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    with out.open("w") as stdout, err.open("w") as stderr:  # files, not pipes: the orphan holds them open
        parent = subprocess.run([sys.executable, "-c", ORPHAN_PARENT, channel, method], cwd=root, stdout=stdout,
                                stderr=stderr, timeout=60, env=env)
    assert parent.returncode == -9 and out.read_text().strip().isdigit(), err.read_text()
    child = int(out.read_text())
    deadline = time.monotonic() + 10 * dt.PARENT_CHECK_SECONDS + 5
    try:
        while time.monotonic() < deadline:
            try:
                if psutil.Process(child).status() == psutil.STATUS_ZOMBIE:  # ended; waits for init to reap it
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the {channel} echo child ({method}) was still running after its parent was killed")
    finally:
        try:
            psutil.Process(child).kill()  # only if the test failed: leave nothing behind
        except psutil.NoSuchProcess:
            pass
