import os
import sys

from pathlib import Path

from helpers.engine.machine import cpu_quota, machine_info, show_machine, usable_cores


def test_machine_info_reports_the_facts_the_course_needs():
    info = machine_info()
    assert info["CPU cores (os.cpu_count)"] == os.cpu_count()
    assert 1 <= info["cores this kernel may use"] <= os.cpu_count()
    assert info["Python"] == ".".join(map(str, sys.version_info[:3]))
    assert isinstance(info["GIL enabled"], bool)
    assert info["platform's default start method"] in ("fork", "spawn", "forkserver")


def test_table_renders_as_html_and_text():
    table = show_machine()
    assert "<table>" in table._repr_html_() and "GIL enabled" in repr(table)


def test_usable_cores_positive():
    assert usable_cores() >= 1


# --- usable cores: the cgroup quota, read from fake cgroup files -----------------------------------

def fake_cgroup(tmp_path, membership: str, files: dict[str, str]):
    """A fake ``/sys/fs/cgroup`` tree and ``/proc/self/cgroup``; returns both paths."""
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    root.mkdir(exist_ok=True)
    self_cgroup = tmp_path / "self_cgroup"
    self_cgroup.write_text(membership)
    return root, self_cgroup


def many_cores(monkeypatch, count: int = 64):
    """Pretend the scheduler offers ``count`` cores, as on a big host."""
    monkeypatch.setattr(os, "process_cpu_count", lambda: count, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(count)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: count)


def test_cgroup_v2_quota_limits_usable_cores(tmp_path, monkeypatch):
    many_cores(monkeypatch)
    root, me = fake_cgroup(tmp_path, "0::/kubepods/pod1\n", {"kubepods/pod1/cpu.max": "150000 100000\n"})
    assert cpu_quota(root, me) == 1.5
    assert usable_cores(root, me) == 2  # 1.5 CPUs: two threads can still run at the same moment


def test_cgroup_v2_parent_quota_binds_the_child(tmp_path, monkeypatch):
    many_cores(monkeypatch)
    root, me = fake_cgroup(tmp_path, "0::/a/b\n", {"a/cpu.max": "100000 100000", "a/b/cpu.max": "max 100000"})
    assert cpu_quota(root, me) == 1.0
    assert usable_cores(root, me) == 1


def test_cgroup_v1_quota_limits_usable_cores(tmp_path, monkeypatch):
    many_cores(monkeypatch)
    root, me = fake_cgroup(tmp_path, "4:memory:/docker/x\n3:cpu,cpuacct:/docker/x\n0::/\n",
                           {"cpu,cpuacct/docker/x/cpu.cfs_quota_us": "200000",
                            "cpu,cpuacct/docker/x/cpu.cfs_period_us": "100000"})
    assert cpu_quota(root, me) == 2.0
    assert usable_cores(root, me) == 2


def test_no_quota_leaves_every_core(tmp_path, monkeypatch):
    many_cores(monkeypatch, 128)
    root, me = fake_cgroup(tmp_path, "0::/\n3:cpu:/\n", {"cpu.max": "max 100000", "cpu/cpu.cfs_quota_us": "-1",
                                                       "cpu/cpu.cfs_period_us": "100000"})
    assert cpu_quota(root, me) is None
    assert usable_cores(root, me) == 128  # nothing caps the count at 32 or 64


def test_affinity_mask_is_honoured_under_a_larger_quota(tmp_path, monkeypatch):
    many_cores(monkeypatch, 1)  # e.g. taskset -c 0
    root, me = fake_cgroup(tmp_path, "0::/\n", {"cpu.max": "400000 100000"})
    assert usable_cores(root, me) == 1


def test_missing_or_garbled_cgroup_files_mean_no_quota(tmp_path):
    root, me = fake_cgroup(tmp_path, "0::/x\n", {"x/cpu.max": "banana"})
    assert cpu_quota(root, me) is None
    assert cpu_quota(tmp_path / "nowhere", tmp_path / "nothing") is None
    assert usable_cores(tmp_path / "nowhere", tmp_path / "nothing") >= 1


def test_the_live_panel_counts_cores_with_the_same_function(monkeypatch):
    import helpers.panels.panel as panel

    assert panel.usable_cores is usable_cores
    assert "os.cpu_count" not in Path(panel.__file__).read_text()


def test_importable_says_whether_an_optional_package_imports():
    from helpers.engine.machine import importable

    assert importable("json") is True
    assert importable("no_such_package_for_the_course") is False
