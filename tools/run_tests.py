"""The project's whole test suite, as `make test` runs it.

1. notebooks are the source: `nbdev-export` and `nbdev-clean` must leave every file as it was;
2. lint: ruff's unused imports, redefinitions and undefined names (`[tool.ruff]` in pyproject.toml);
3. every notebook runs as a test (nbdev's `test_nb`, in parallel on all cores), the way Colab meets it: each notebook
   alone in a folder outside the repository, the package from a wheel built from this checkout and installed into a
   folder of its own, downloads blocked, so published results must come from the package;
4. the other tests (`pytest tests/`: the docs site, the README, the command line).

Ends with one line `N passed, N failed` (the two checks, notebooks and other tests counted) and a
non-zero exit status on any failure.
"""
from __future__ import annotations
import hashlib, os, shutil, subprocess, sys, time, tempfile
from concurrent.futures import ThreadPoolExecutor
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def snapshot() -> dict[str, str]:
    "Hashes of the files nbdev writes: notebooks and the exported package."
    files = list((ROOT / 'nbs').glob('*.ipynb')) + list((ROOT / 'jellyfish_nbdev').glob('*.py'))
    return {str(f.relative_to(ROOT)): hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(files)}


def check_source_of_truth() -> list[str]:
    "Run nbdev-export and nbdev-clean; return the files they changed (should be none)."
    before = snapshot()
    for cmd in ('nbdev-export', 'nbdev-clean'):
        subprocess.run([str(BIN / cmd)], cwd=ROOT, check=True)
    after = snapshot()
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def check_lint() -> str:
    "Run ruff on the repository (its rules and exclusions are in pyproject.toml); return its report, empty if clean."
    r = subprocess.run([str(BIN / 'python'), '-m', 'ruff', 'check', '--no-cache', '--output-format', 'concise', '.'],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode == 0: return ''
    return (r.stdout + r.stderr).strip() or f'ruff exited with status {r.returncode}'


def build_wheel(tmp: Path) -> Path:
    "Build the package's wheel from a copy of what it is made of (nothing lands in the repository), install it without dependencies into `tmp/site`; return that folder."
    src = tmp / 'src'
    src.mkdir()
    for f in ('pyproject.toml', 'README.md', 'LICENSE'): shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / 'jellyfish_nbdev', src / 'jellyfish_nbdev', ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    pip = [str(BIN / 'python'), '-m', 'pip']
    subprocess.run(pip + ['wheel', '-q', '--no-deps', '--no-build-isolation', str(src), '-w', str(tmp / 'dist')], check=True)
    wheel, = (tmp / 'dist').glob('jellyfish_nbdev-*.whl')
    subprocess.run(pip + ['install', '-q', '--no-deps', '--target', str(tmp / 'site'), str(wheel)], check=True)
    return tmp / 'site'


RUN_ONE = """
import sys, tomllib
from pathlib import Path
from nbdev.test import test_nb
cfg = tomllib.loads(Path(sys.argv[3]).read_text())['tool']['nbdev']
ok, secs = test_nb(sys.argv[1], skip_flags=cfg['tst_flags'].split(), profile=False, cell_timeout=cfg['cell_timeout'])
import jellyfish_nbdev
where = str(Path(jellyfish_nbdev.__file__).resolve())
if not where.startswith(sys.argv[2]): sys.exit(f'imported jellyfish_nbdev from {where}, not from the installed wheel')
print(f'{Path(sys.argv[1]).name}: {secs:.0f} s')
sys.exit(0 if ok else 1)
"""


def run_notebooks() -> tuple[list[str], list[str]]:
    "Run every notebook alone, outside the repository, with the package from its wheel; return (passed, failed) notebook names."
    nbs = sorted(p.name for p in (ROOT / 'nbs').glob('*.ipynb'))
    n_workers = int(os.environ.get('NBDEV_TEST_WORKERS', str(min(os.cpu_count() or 1, 4))))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = build_wheel(tmp).resolve()
        work = tmp / 'notebooks'
        work.mkdir()
        for n in nbs: shutil.copy(ROOT / 'nbs' / n, work / n)
        env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME')}
        env.update(PYTHONPATH=str(site), JELLYFISH_CACHE=str(tmp / 'cache'),   # no downloads: a blocked proxy
                   http_proxy='http://127.0.0.1:9', https_proxy='http://127.0.0.1:9', HTTP_PROXY='http://127.0.0.1:9',
                   HTTPS_PROXY='http://127.0.0.1:9', NO_PROXY='', no_proxy='')
        print(f'$ test_nb on {len(nbs)} notebooks in {work}, jellyfish_nbdev from {site}, {n_workers} at a time', flush=True)

        def run(n):
            r = subprocess.run([str(BIN / 'python'), '-c', RUN_ONE, str(work / n), str(site), str(ROOT / 'pyproject.toml')],
                               cwd=work, env=env, capture_output=True, text=True)
            sys.stdout.write(r.stdout if not r.returncode else f'FAILED {n}\n{(r.stdout + r.stderr)[-6000:]}\n')
            sys.stdout.flush()
            return n, r.returncode == 0

        with ThreadPoolExecutor(max_workers=n_workers) as ex: results = list(ex.map(run, nbs))
    return [n for n, ok in results if ok], [n for n, ok in results if not ok]


def run_pytest() -> tuple[int, int]:
    "Run pytest on tests/; return (passed, failed)."
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / 'junit.xml'
        cmd = [str(BIN / 'python'), '-m', 'pytest', 'tests', '-q', '-p', 'no:cacheprovider', f'--junitxml={xml}']
        print('$', ' '.join(cmd[2:]), flush=True)
        r = subprocess.run(cmd, cwd=ROOT)
        if not xml.exists(): return 0, 1
        root = ET.parse(xml).getroot()
        suites = [root] if root.tag == 'testsuite' else list(root)
        n = sum(int(s.get('tests', 0)) for s in suites)
        bad = sum(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
        skipped = sum(int(s.get('skipped', 0)) for s in suites)
        if r.returncode not in (0, 1) and bad == 0: bad = 1
        return n - bad - skipped, bad


def main() -> int:
    t0 = time.time()
    os.environ['PATH'] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ.setdefault('MPLBACKEND', 'Agg')
    # notebooks run in parallel, one per core: one thread each, or OpenMP threads oversubscribe the cores
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    passed = failed = 0
    print('== 1. notebooks are the source (nbdev-export, nbdev-clean leave no diff)', flush=True)
    drift = check_source_of_truth()
    if drift: print('FAILED: these files changed; run nbdev-export and nbdev-clean and commit:\n  ' + '\n  '.join(drift)); failed += 1
    else: print('ok'); passed += 1
    print('== 2. lint (ruff check: unused imports, redefinitions, undefined names)', flush=True)
    lint = check_lint()
    if lint: print('FAILED:\n' + lint); failed += 1
    else: print('ok'); passed += 1
    print('== 3. notebooks, each alone outside the repository with the package from its wheel (as in Colab)', flush=True)
    ok, bad = run_notebooks()
    print(f'notebooks: {len(ok)} passed, {len(bad)} failed' + (f" ({', '.join(bad)})" if bad else ''))
    passed += len(ok); failed += len(bad)
    print('== 4. other tests (pytest tests/)', flush=True)
    p, f = run_pytest()
    passed += p; failed += f
    print(f'test suite took {time.time() - t0:.0f} s')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
