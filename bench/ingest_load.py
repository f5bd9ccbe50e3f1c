"""Benchmark: ingestion of a mock survey (galaxies/s, 1 and 2 workers, re-run) and loading (images/s).

Usage: python bench/ingest_load.py [--n 300] [--size 200] [--bs 32]
Prints a table and writes bench/results/ingest_load.json.
"""
import argparse, contextlib, io, json, os, platform, shutil, tempfile, time
from pathlib import Path
import torch

from jellyfish_nbdev.mock import make_mock_survey
from jellyfish_nbdev.io import ingest
from jellyfish_nbdev.data import load_stacks, load_manifest, survey_dls, survey_datablock
from fastai.data.core import TfmdDL


def rate(epoch, reps=3):
    "Images per second of the fastest of `reps` passes of `epoch()`."
    best = 0.
    for _ in range(reps):
        t, n = time.perf_counter(), 0
        for b in epoch(): n += len(b[0])
        best = max(best, n / (time.perf_counter() - t))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--n', type=int, default=300); p.add_argument('--size', type=int, default=200)
    p.add_argument('--bs', type=int, default=32); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads for the loader timings')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp(prefix='bench_ingest_'))
    res = dict(n=a.n, size=a.size, bs=a.bs, cpus=os.cpu_count(), torch_threads=torch.get_num_threads(),
               python=platform.python_version())
    try:
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()): make_mock_survey(tmp/'mock', n=a.n, seed=a.seed, size=a.size)
        res['mock_s'] = time.perf_counter() - t
        for nw in (1, 2):
            with contextlib.redirect_stdout(io.StringIO()):
                m = ingest(tmp/'mock'/'fits', tmp/f'out{nw}', catalog=tmp/'mock'/'catalog.csv', n_workers=nw, progress=False)
            res[f'ingest_{nw}w_s'] = m.attrs['seconds']
            res[f'ingest_{nw}w_galaxies_per_s'] = a.n / m.attrs['seconds']
        res['ok'] = int((m.status == 'ok').sum())
        with contextlib.redirect_stdout(io.StringIO()):
            m2 = ingest(tmp/'mock'/'fits', tmp/'out2', catalog=tmp/'mock'/'catalog.csv', progress=False)
        res['rerun_up_to_date_s'] = m2.attrs['seconds']
        man = load_manifest(tmp/'out2')
        t = time.perf_counter(); x = load_stacks(man); res['load_stacks_s'] = time.perf_counter() - t
        res['stacks_MB'] = x.numel() * 4 / 2**20
        dls = survey_dls(man, stacks=x, bs=a.bs)
        mean, std = dls.stats
        def raw_epoch():
            perm = torch.randperm(len(x))
            for k in range(0, len(perm) - a.bs + 1, a.bs):
                yield (x[perm[k:k+a.bs]].sub_(mean[:, None, None]).div_(std[:, None, None]),)
        slow = survey_datablock(x, man, 'jellyfish', dls.valid_idx, dls.stats)[0]
        slow.dl_type = TfmdDL
        slow = slow.dataloaders(list(range(len(x))), bs=a.bs, num_workers=0)
        res['raw_tensor_img_per_s'] = rate(raw_epoch)
        res['survey_dls_img_per_s'] = rate(lambda: dls.train)
        res['itemwise_tfmddl_img_per_s'] = rate(lambda: slow.train)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    w = max(map(len, res))
    for k, v in res.items(): print(f"{k:<{w}}  {v:,.2f}" if isinstance(v, float) else f"{k:<{w}}  {v}")
    out = Path(__file__).parent/'results'/'ingest_load.json'
    out.parent.mkdir(exist_ok=True); out.write_text(json.dumps(res, indent=1))


if __name__ == '__main__': main()
