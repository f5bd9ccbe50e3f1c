"""Wall time of `make test` on a fresh checkout with a fresh virtual environment (install included).

Clones the repository's HEAD (`git clone`, so only committed files count) into a temporary folder, runs
`make test` there (which creates `.venv`, installs the package with its dev extra, then runs the whole suite),
and records the wall time of the install and of the tests, the summary line and the slowest notebooks.
Takes 10 minutes or more; not run by `make bench`'s CI-style loop unless you mean it.

    python bench/test_suite.py                   # clone this repository's HEAD
    python bench/test_suite.py --repo /path/to/repo --keep

Prints a table and writes bench/results/test_suite.json.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table

ROOT = Path(__file__).resolve().parents[1]


def log_tail(text: str, n: int = 4000) -> str:
    "The last `n` characters of a log, without pip's notes on this machine's local package folders (machine paths)."
    return '\n'.join(l for l in text.splitlines() if 'is ignored: it is neither a file nor a directory' not in l)[-n:]


def run(cmd, cwd, log, env=None) -> tuple[int, float, str]:
    "Run `cmd` in `cwd`, appending its output to `log`; return (exit status, seconds, output)."
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    dt = time.perf_counter() - t
    with open(log, 'a') as f: f.write(f"$ {' '.join(cmd)}  ({dt:.0f} s, exit {r.returncode})\n{r.stdout}\n")
    return r.returncode, dt, r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repo', default=str(ROOT), help='repository to clone (its HEAD)')
    ap.add_argument('--python', default=sys.executable, help='interpreter that creates the fresh venv')
    ap.add_argument('--warm-cache', action='store_true', help="reuse the data cache ($JELLYFISH_CACHE or ~/.cache/jellyfish_nbdev); "
                    "default: an empty one, as on a new machine")
    ap.add_argument('--keep', action='store_true', help='keep the temporary clone (its path is printed)')
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench_test_suite_'))
    log = tmp / 'log.txt'
    src = tmp / 'repo'
    res = dict(benchmark='test_suite', repo=a.repo, machine=machine())
    try:
        rc, dt, _ = run(['git', 'clone', '--quiet', a.repo, str(src)], tmp, log)
        if rc: raise SystemExit(f"git clone failed, see {log}")
        res['commit'] = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=src, capture_output=True, text=True).stdout.strip()
        env_py = f'PYTHON={a.python}'
        env = dict(os.environ)
        for k in ('VIRTUAL_ENV', 'PYTHONPATH'): env.pop(k, None)
        if not a.warm_cache: env['JELLYFISH_CACHE'] = str(tmp / 'cache')
        res['warm_cache'] = a.warm_cache
        # `make install` first (venv + pip install -e .[dev]), timed alone; then `make test` (its install step is up to date)
        rc_i, t_install, _ = run(['make', env_py, 'install'], src, log, env)
        rc_t, t_test, out = run(['make', env_py, 'test'], src, log, env)
        summary = [l for l in out.splitlines() if re.search(r'\d+ passed, \d+ failed', l)]
        timings = re.findall(r'^([\w.-]+\.ipynb): (\d+) secs\s*$', out, flags=re.M)   # nbdev-test --timing
        slow = sorted(((n, float(s)) for n, s in timings), key=lambda x: -x[1])[:8]
        res.update(install_s=t_install, test_s=t_test, total_s=t_install + t_test, install_exit=rc_i, test_exit=rc_t,
                   summary=summary[-1] if summary else None, slowest_notebooks=[dict(notebook=n, seconds=s) for n, s in slow],
                   target_s=15 * 60, within_target=(t_install + t_test) < 15 * 60)
    finally:
        if a.keep: print(f"kept {tmp}")
        else:
            res['log_tail'] = log_tail(log.read_text()) if log.exists() else ''
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"`make test` on a fresh clone of {a.repo} ({res.get('commit', '?')[:10]}), {res['machine']['cpus']} CPUs")
    print(table([dict(step='install (venv + pip)', seconds=res.get('install_s'), exit=res.get('install_exit')),
                 dict(step='make test', seconds=res.get('test_s'), exit=res.get('test_exit')),
                 dict(step='total', seconds=res.get('total_s'), exit=None)], ['step', 'seconds', 'exit'], {'seconds': '{:.0f}'}))
    print(res.get('summary'))
    for s in res.get('slowest_notebooks', []): print(f"  {s['notebook']:<28} {s['seconds']:.0f} s")
    out = write_json('test_suite', res, a.out)
    print(f"wrote {out}")


if __name__ == '__main__':
    main()
