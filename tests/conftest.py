"Shared fixtures: the package built into a wheel and installed into a folder of its own, once per test session."
import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
from run_tests import build_wheel   # the one recipe: make test's notebooks run from the same kind of wheel


@pytest.fixture(scope='session')
def wheel_install(tmp_path_factory) -> tuple[Path, Path]:
    "The package's wheel, built from a copy of what it is made of, and the folder it is installed into without dependencies: `(wheel, folder)`."
    tmp = tmp_path_factory.mktemp('wheel')
    site = build_wheel(tmp)
    wheel, = (tmp / 'dist').glob('jellyfish_nbdev-*.whl')
    return wheel, site
