"What Colab users run into: the explorer with Colab's preinstalled ipywidgets 7.7, which the package's range admits. (Every notebook also runs alone outside the repository from the installed wheel: step 3 of `tools/run_tests.py`.)"
import os, subprocess, sys, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_ipywidgets_range_admits_colab():
    deps = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['dependencies']
    w = [d for d in deps if d.startswith('ipywidgets')]
    assert w == ['ipywidgets>=7.7,<9'], w


def test_explorer_notebook_runs_with_ipywidgets_7(tmp_path):
    "Install ipywidgets 7.7 (Colab's) beside the package and run the explorer notebook's tests with it."
    target = tmp_path / 'w7'
    r = subprocess.run([str(BIN / 'python'), '-m', 'pip', 'install', '-q', '--no-deps', '--target', str(target),
                        'ipywidgets==7.7.5', 'ipython_genutils'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(target), str(ROOT)])}
    v = subprocess.run([str(BIN / 'python'), '-c', 'import ipywidgets; print(ipywidgets.__version__)'], env=env,
                       capture_output=True, text=True)
    assert v.stdout.strip() == '7.7.5', v.stderr[-2000:]
    r = subprocess.run([str(BIN / 'nbdev-test'), 'nbs/11_explorer.ipynb'], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]

