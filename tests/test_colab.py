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



DEV_ONLY = {'hypothesis', 'pytest', 'playwright', 'latex2mathml', 'voila', 'ruff', 'nbconvert', 'nbclient'}   # the dev extra, less what running a notebook needs


def unguarded_imports(src: str) -> set[str]:
    "Top-level modules imported by `src` outside a `try:` block (IPython magics and shell lines left out)."
    import ast
    code = '\n'.join(l[:len(l) - len(l.lstrip())] + 'pass' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines())
    tree = ast.parse(code)
    guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try) for s in t.body for n in ast.walk(s)}
    out = set()
    for n in ast.walk(tree):
        if id(n) in guarded: continue
        if isinstance(n, ast.Import): out |= {a.name.split('.')[0] for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module and not n.level: out.add(n.module.split('.')[0])
    return out


def test_unguarded_imports_finds_what_it_should():
    assert unguarded_imports('import hypothesis\ntry: import pytest\nexcept ImportError: pass\n%pip install x') == {'hypothesis'}
    assert unguarded_imports('from playwright.sync_api import sync_playwright') == {'playwright'}


def test_notebooks_need_no_dev_extra():
    "Colab has none of the dev extra: a notebook may use one of its packages only inside `try:` (and do without it)."
    import json
    bad = {}
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            if c['cell_type'] == 'code' and (hit := unguarded_imports(''.join(c['source'])) & DEV_ONLY):
                bad.setdefault(nb.name, set()).update(hit)
    assert not bad, bad
