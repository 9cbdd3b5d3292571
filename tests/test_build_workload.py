"""helpers.build_workload: notebook 15's workload, run as a script by either build of Python."""


def test_the_workload_runs_as_a_script_with_nothing_of_the_course_importable():
    # The other build's Python runs the file's source with -c and none of the course's packages (-I: no
    # PYTHONPATH, no current folder): a relative import there fails every comparison of notebook 15.
    import json
    import subprocess
    import sys

    from helpers.free_threading import WORKLOAD

    options = json.dumps({"threads": [1, 2], "work": 20_000, "repeats": 1, "race_times": 1_000})
    done = subprocess.run([sys.executable, "-I", "-c", WORKLOAD.read_text(), options], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"python", "cpu", "race", "one_thread"} <= set(figures), figures
