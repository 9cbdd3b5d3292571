"""The install files agree with each other, Binder is ready, and the lab command is safe."""

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def requirement(spec: str) -> tuple[str, str]:
    name, rest = NAME.match(spec.split(";")[0]).groups()  # an environment marker is pip's business only
    return name.lower().replace("_", "-"), rest.replace(" ", "")


def pyproject():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11+")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def conda_requirements(path: Path) -> dict[str, str]:
    deps = yaml.safe_load(path.read_text())["dependencies"]
    found = dict(requirement(d) for d in deps if isinstance(d, str))
    found.pop("pip", None)
    found.pop("python", None)
    return found


def pip_requirements() -> dict[str, str]:
    return dict(requirement(d) for d in pyproject()["project"]["dependencies"])


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_conda_files_list_the_same_runtime_dependencies_as_pyproject(path):
    assert conda_requirements(ROOT / path) == pip_requirements()


def test_required_packages_are_there():
    names = set(pip_requirements())
    assert {"jupyterlab", "ipywidgets", "matplotlib", "ipykernel"} <= names
    extras = {requirement(d)[0] for d in pyproject()["project"]["optional-dependencies"]["test"]}
    assert {"nbval", "pytest"} <= extras


def test_python_floor_agrees():
    floor = pyproject()["project"]["requires-python"]
    assert floor == ">=3.10"
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert "python>=3.10" in deps


def test_root_environment_installs_the_helpers_package():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip_part = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "--editable ." in pip_part


def test_binder_postbuild_installs_helpers_and_is_executable():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & stat.S_IXUSR
    text = post_build.read_text()
    assert text.startswith("#!") and "pip install" in text and "--editable ." in text


def test_binder_badge_opens_an_existing_notebook():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", readme)
    assert links, "README has no Binder link"
    for link in links:
        path = re.search(r"urlpath=lab/tree/([^&)\s]+)", link).group(1)
        assert (ROOT / path).is_file(), f"Binder link points at a missing file: {path}"


def test_lab_command_is_local_and_keeps_its_token():
    makefile = (ROOT / "Makefile").read_text()
    lab = makefile.split("\nLAB_ARGS :=", 1)[1].split("\n\n", 1)[0]  # what `make lab` passes (tests/test_lab_start.py)
    assert "--ServerApp.ip=127.0.0.1" in lab
    assert "--ServerApp.root_dir=notebooks" in lab
    this_file = Path(__file__).resolve()
    watched = [ROOT / "Makefile", ROOT / "README.md", ROOT / ".ci" / "run", *ROOT.glob("binder/*"),
               *ROOT.glob("tests/*.py"), *ROOT.glob("helpers/*.py")]
    for path in watched:
        if path.resolve() == this_file:
            continue
        text = path.read_text()
        assert not re.search(r"token\s*=\s*(''|\"\")", text), f"{path} sets an empty token"
        assert "disable_check_xsrf" not in text, f"{path} disables XSRF protection"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
