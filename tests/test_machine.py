import os
import sys

from helpers.machine import machine_info, show_machine, usable_cores


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
