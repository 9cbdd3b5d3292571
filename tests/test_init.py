"""``import helpers`` stays light: spawn and forkserver children import it for every worker."""

import subprocess
import sys

# CPU seconds, not wall-clock: beside busy cores the same import took 0.5-0.7 s of wall-clock time and 0.05-0.06 s
# of CPU (2-core machine, load average 12); the CPU it costs is what every spawn worker pays.
CODE = """
import sys, time
start = time.process_time()
import helpers
elapsed = time.process_time() - start
heavy = [m for m in ("matplotlib", "ipywidgets", "IPython", "PIL", "psutil") if m in sys.modules]
print(elapsed, ",".join(heavy))
"""


def test_import_is_fast_and_pulls_in_no_plotting_or_widgets():
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout
        elapsed, heavy = out.split()[0], out.split()[1:]
        times.append(float(elapsed))
        assert heavy == [], f"import helpers imported {heavy}"
    assert min(times) < 0.3, f"import helpers took {min(times):.3f} CPU-seconds"


def test_lazy_names_resolve():
    import helpers

    assert helpers.LivePanel.__name__ == "LivePanel"
    assert callable(helpers.machine_info)


def test_moved_modules_are_attributes_after_a_plain_import():
    """Notebooks write ``import helpers`` then ``helpers.config.gil_enabled()``: every old flat name must answer."""
    import importlib

    import helpers

    for old, new in helpers.MOVED.items():
        assert getattr(helpers, old) is importlib.import_module(f"helpers.{new}"), old


def test_no_helpers_name_carries_a_notebook_number():
    """Names say what things are: a name like check_03 or SCENARIOS_08 breaks the day a notebook is inserted."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "helpers"
    pattern = re.compile(r"^\s*(?:def |class )?([A-Za-z_]*_(?:0\d|1\d))\b\s*(?:[(:=]|$)", re.M)
    found = {f"{path.relative_to(root)}: {name}" for path in root.rglob("*.py")
             for name in pattern.findall(path.read_text(encoding="utf-8"))}
    assert not found, sorted(found)


def test_an_old_name_leaves_the_module_its_own_spec():
    # importlib puts the old name's spec on the module it is given; reload() would then re-run the module as
    # helpers.<old name> (seen: a test's reload of the config renamed it, and the Run-button walk counted it twice).
    import importlib

    import helpers.config  # noqa: F401  (the old flat name)
    from helpers.engine import config

    assert config.__spec__.name == config.__name__ == "helpers.engine.config"
    assert importlib.reload(config).__name__ == "helpers.engine.config"
