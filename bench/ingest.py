"""Ingestion speed (galaxies/s): mock FITS cutouts -> background-subtracted 12-band stacks (`io.ingest`),
with 1 and 2 worker processes, plus where one galaxy's time goes.

A mock survey of `--n` galaxies at `--size` px is written once (`mock.make_mock_survey`, timed too), then
ingested from scratch with 1 worker and with 2 workers. Besides wall-clock galaxies/s the script reports
galaxies per CPU-second (this process and its workers together), which stays meaningful on a shared machine
where the second worker may find no free core. A profile of a few galaxies splits the per-galaxy time into
reading the 12 FITS files, photutils `Background2D` and the rest (arcsinh, stacking, saving).
See also bench/ingest_load.py (ingestion + loading into DataLoaders) and bench/mock.py (generation).

    python bench/ingest.py                 # 48 galaxies of 200 px
    python bench/ingest.py --n 200 --size 450

Prints a table and writes bench/results/ingest.json.
"""
import argparse, contextlib, io, os, resource, shutil, statistics, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table

from jellyfish_nbdev.mock import make_mock_survey
from jellyfish_nbdev.io import ingest, scan_cutouts, read_band, read_galaxy


def cpu_s() -> float:
    "CPU seconds of this process and of its finished children (worker processes)."
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def profile(fits_dir: Path, n: int = 4, box: int = 25) -> dict:
    "Median seconds per galaxy of: reading its 12 FITS files; the whole preprocessing without and with background."
    files = scan_cutouts(fits_dir)
    files = files[files.kind == 'cutout']
    gals = sorted(files.galaxy.unique())[:n]
    t_read, t_plain, t_full = [], [], []
    for g in gals:
        fs = list(files[files.galaxy == g].path)
        t = time.perf_counter(); [read_band(f) for f in fs]; t_read.append(time.perf_counter() - t)
        t = time.perf_counter(); read_galaxy(fs, background=False, arcsinh=True); t_plain.append(time.perf_counter() - t)
        t = time.perf_counter(); read_galaxy(fs, background=True, arcsinh=True, box_size=box); t_full.append(time.perf_counter() - t)
    read, plain, full = (statistics.median(v) for v in (t_read, t_plain, t_full))
    return dict(galaxies=len(gals), read_fits_s=read, preprocess_without_background_s=plain, preprocess_s=full,
                background_s=full - plain, background_fraction=(full - plain) / full)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=48, help='galaxies in the mock survey')
    ap.add_argument('--size', type=int, default=200, help='cutout side (px); the paper: 450')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench_ingest_'))
    res = dict(benchmark='ingest', n=a.n, size=a.size, machine=machine())
    rows = []
    try:
        quiet = lambda: contextlib.redirect_stdout(io.StringIO())
        t, c = time.perf_counter(), cpu_s()
        with quiet(): make_mock_survey(tmp / 'mock', n=a.n, seed=a.seed, size=a.size)
        res['mock'] = dict(seconds=time.perf_counter() - t, galaxies_per_s=a.n / (time.perf_counter() - t),
                           galaxies_per_cpu_s=a.n / (cpu_s() - c))
        for nw in (1, 2):
            t, c = time.perf_counter(), cpu_s()
            with quiet():
                m = ingest(tmp / 'mock' / 'fits', tmp / f'out{nw}', catalog=tmp / 'mock' / 'catalog.csv',
                           n_workers=nw, progress=False, force=True)
            wall, cpu = time.perf_counter() - t, cpu_s() - c
            ok = int((m.status == 'ok').sum())
            rows.append(dict(workers=nw, ok=ok, seconds=wall, galaxies_per_s=a.n / wall, galaxies_per_cpu_s=a.n / cpu,
                             cpu_per_wall=cpu / wall, load_after=round(os.getloadavg()[0], 1)))
            print(f"  {nw} worker(s): {a.n / wall:.2f} galaxies/s, {a.n / cpu:.2f} galaxies/CPU-s", flush=True)
        res['rows'] = rows
        res['speedup_2_workers'] = rows[1]['galaxies_per_s'] / rows[0]['galaxies_per_s']
        t = time.perf_counter()
        with quiet(): ingest(tmp / 'mock' / 'fits', tmp / 'out2', catalog=tmp / 'mock' / 'catalog.csv', progress=False)
        res['rerun_up_to_date_s'] = time.perf_counter() - t
        res['profile'] = profile(tmp / 'mock' / 'fits')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ningestion of {a.n} mock galaxies of {a.size} px (12 FITS files each), {res['machine']['cpus']} CPUs, "
          f"load average {res['machine']['loadavg'][0]}")
    print(table(rows, ['workers', 'ok', 'seconds', 'galaxies_per_s', 'galaxies_per_cpu_s', 'cpu_per_wall'],
                {'seconds': '{:.1f}', 'galaxies_per_s': '{:.2f}', 'galaxies_per_cpu_s': '{:.2f}', 'cpu_per_wall': '{:.2f}'}))
    p = res['profile']
    print(f"2 workers / 1 worker: {res['speedup_2_workers']:.2f}x; re-run with everything up to date: {res['rerun_up_to_date_s']:.2f} s")
    print(f"per galaxy: reading 12 FITS {p['read_fits_s'] * 1e3:.0f} ms, preprocessing without background "
          f"{p['preprocess_without_background_s'] * 1e3:.0f} ms, with background {p['preprocess_s'] * 1e3:.0f} ms "
          f"(Background2D {100 * p['background_fraction']:.0f}% of it)")
    print(f"mock generation: {res['mock']['galaxies_per_s']:.2f} galaxies/s")
    out = write_json('ingest', res, a.out)
    print(f"wrote {out}")


if __name__ == '__main__':
    main()
