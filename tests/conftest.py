"Shared fixtures: the package built into a wheel and installed into a folder of its own, once per test session."
import shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = 'jellyfish_nbdev'


@pytest.fixture(scope='session')
def wheel_install(tmp_path_factory) -> tuple[Path, Path]:
    "Build the wheel from a copy of what it is made of (no build/ or egg-info lands in the repository), install it without dependencies into a folder of its own; `(wheel, folder)`."
    tmp = tmp_path_factory.mktemp('wheel')
    src = tmp / 'src'
    src.mkdir()
    for f in ('pyproject.toml', 'README.md', 'LICENSE'): shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / PKG, src / PKG, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    dist = tmp / 'dist'
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', str(src), '-w', str(dist)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel, = dist.glob('jellyfish_nbdev-*.whl')
    target = tmp / 'site'
    r = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--target', str(target), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return wheel, target
