"""Embedding throughput (images/s): `embed.embed_tensor` (i.e. `embed.represent`) and `embed.embed_catalog`
against the inference-only ceiling, at the `cpu` and `paper` presets, in fp32 (the default) and bf16 autocast.

For each preset an encoder with the preset's architecture (random weights: speed does not depend on them) and a
200 px mock survey (`tiny_survey`, repeated to `--n` galaxies) are used by:

- `ceiling`: the encoder's forward pass alone (eval mode, no gradients, channels-last, as `represent` runs it) on
  standardised views already in memory, in batches of `--bs`, in fp32 and in bf16 autocast;
- `embed_tensor`: stacks `(N, 12, 200, 200)` in memory -> centre crop, resize to the view size, standardise
  (`encoder_inputs`, image by image) -> forward, batch by batch; also from a survey held channels-last;
- `embed_catalog`: the same from the `.npy` files on disk, chunk by chunk, writing the shard files
  (one shard, page cache warm): reading the stacks is part of it;
- for reference, the fp32 forward pass in the NCHW layout (what `represent` ran before).

Each variant is compared with the ceiling of its own precision. Variants run in turns (round robin).
Prints a table and writes bench/results/embed_throughput.json.

    python bench/embed_throughput.py                 # both presets
    python bench/embed_throughput.py --presets cpu --n 256 --rounds 3 --threads 1
    python bench/embed_throughput.py --presets paper --update --threads 1   # one preset, keep the other's numbers
"""
import argparse, json, shutil, statistics, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table, RESULTS

warnings.filterwarnings('ignore', category=FutureWarning)
from jellyfish_nbdev.data import load_manifest, load_stacks, band_stats
from jellyfish_nbdev.synth import tiny_survey
from jellyfish_nbdev.simclr import get_preset, make_encoder
from jellyfish_nbdev.train import cpu_has_bf16
from jellyfish_nbdev.embed import encoder_inputs, embed_tensor, embed_catalog


def make_run(run_dir: Path, cfg, mean, std, input_px: int) -> tuple:
    "A run folder (encoder.pth + config.json) as `pretrain` writes it, for an untrained encoder of `cfg`."
    torch.manual_seed(0)
    enc = make_encoder(cfg.arch, cfg.n_bands, cfg.stem).eval()
    config = dict(arch=cfg.arch, stem=cfg.stem, n_bands=cfg.n_bands, n_features=enc.n_features, mean=mean, std=std,
                  center_crop=cfg.aug.center_crop, bin=cfg.aug.bin, size=cfg.aug.size, input_size=[input_px, input_px])
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.save(enc.state_dict(), run_dir / 'encoder.pth')
    (run_dir / 'config.json').write_text(json.dumps(config))
    return enc, config


def big_data_dir(src: Path, dst: Path, n: int) -> Path:
    "A data folder whose manifest lists `n` galaxies (unique names) that reuse the stacks of `src` in turn."
    m = load_manifest(src)
    rows = m.iloc[np.arange(n) % len(m)].reset_index(drop=True)
    rows = rows.assign(galaxy=[f'G{i:06d}' for i in range(n)])[['galaxy', 'path', 'status']]
    dst.mkdir(parents=True, exist_ok=True)
    rows.to_csv(dst / 'manifest.csv', index=False)
    return dst


def timed(fn, n: int) -> float:
    "Images per second of one call of `fn` that handles `n` images."
    t = time.perf_counter(); fn(); return n / (time.perf_counter() - t)


def measure_preset(preset: str, n: int, bs: int, rounds: int, n_galaxies: int, tmp: Path) -> dict:
    cfg = get_preset(preset)
    data_dir = tiny_survey(n=n_galaxies, size=200, seed=0)
    man = load_manifest(data_dir)
    x0 = load_stacks(man)
    x = x0[torch.arange(n) % len(x0)].clone()
    mean, std = (t.tolist() for t in band_stats(x0))
    std = [s if s > 0 else 1. for s in std]
    enc, config = make_run(tmp / f'run-{preset}', cfg, mean, std, x.shape[-1])
    views = torch.cat([encoder_inputs(x[i:i + bs], config) for i in range(0, n, bs)])
    views_cl = views.contiguous(memory_format=torch.channels_last)
    enc_cl = make_encoder(cfg.arch, cfg.n_bands, cfg.stem).eval().to(memory_format=torch.channels_last)
    enc_cl.load_state_dict(enc.state_dict())
    x_cl = x.contiguous(memory_format=torch.channels_last)
    big = big_data_dir(data_dir, tmp / f'data-{preset}', n)

    @torch.no_grad()
    def forward(model, v, bf16=False):
        for i in range(0, len(v), bs):
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): model(v[i:i + bs]).float()

    def catalog(precision):
        out = tmp / f'emb-{preset}'
        shutil.rmtree(out, ignore_errors=True)
        embed_catalog(tmp / f'run-{preset}', big, out, chunk=256, bs=bs, progress=False, precision=precision)

    variants = {'ceiling fp32 (forward, channels-last)': ('fp32', lambda: forward(enc_cl, views_cl)),
                'embed_tensor / represent, fp32': ('fp32', lambda: embed_tensor(enc, x, config, bs=bs)),
                'embed_tensor, channels-last survey, fp32': ('fp32', lambda: embed_tensor(enc, x_cl, config, bs=bs)),
                'embed_catalog (from disk), fp32': ('fp32', lambda: catalog('fp32')),
                'forward fp32, NCHW (before)': ('fp32', lambda: forward(enc, views)),
                'ceiling bf16 (forward, channels-last)': ('bf16', lambda: forward(enc_cl, views_cl, bf16=True)),
                'embed_tensor / represent, bf16': ('bf16', lambda: embed_tensor(enc, x, config, bs=bs, precision='bf16')),
                'embed_tensor, channels-last survey, bf16': ('bf16', lambda: embed_tensor(enc, x_cl, config, bs=bs, precision='bf16')),
                'embed_catalog (from disk), bf16': ('bf16', lambda: catalog('bf16'))}
    if not cpu_has_bf16(): variants = {k: v for k, v in variants.items() if v[0] == 'fp32'}
    print(f"[{preset}] {cfg.arch}, {cfg.stem} stem, {cfg.aug.size} px views from {x.shape[-1]} px stacks, "
          f"{n} galaxies, batch {bs}, {rounds} round(s)", flush=True)
    forward(enc_cl, views_cl[:bs]); embed_tensor(enc, x[:bs], config, bs=bs)    # warm-up (allocations, kernels)
    rates = {k: [] for k in variants}
    t0 = time.time()
    for r in range(rounds):
        for k, (prec, fn) in variants.items():
            rates[k].append(timed(fn, n))
            print(f"  round {r + 1}: {k:<42} {rates[k][-1]:8.1f} images/s", flush=True)
    ceil = {p: rates[f'ceiling {p} (forward, channels-last)'] for p in ('fp32', 'bf16') if f'ceiling {p} (forward, channels-last)' in rates}
    rows = [dict(variant=k, precision=variants[k][0], images_per_s=statistics.median(v), runs=[round(a, 2) for a in v],
                 of_ceiling=statistics.median(a / c for a, c in zip(v, ceil[variants[k][0]]))) for k, v in rates.items()]
    by = {r['variant']: r for r in rows}
    # where the time of embed_tensor goes besides the forward pass: the preprocessing alone
    pre = statistics.median(timed(lambda: [encoder_inputs(x[i:i + bs], config) for i in range(0, n, bs)], n) for _ in range(2))
    return dict(preset=preset, arch=cfg.arch, stem=cfg.stem, view_px=cfg.aug.size, input_px=int(x.shape[-1]), n=n, bs=bs,
                rounds=rounds, seconds=round(time.time() - t0, 1), rows=rows,
                embed_tensor_of_ceiling=by['embed_tensor / represent, fp32']['of_ceiling'],
                embed_catalog_of_ceiling=by['embed_catalog (from disk), fp32']['of_ceiling'],
                embed_tensor_bf16_of_ceiling=by.get('embed_tensor / represent, bf16', {}).get('of_ceiling'),
                bf16_ceiling_over_fp32=(statistics.median(a / b for a, b in zip(ceil['bf16'], ceil['fp32'])) if 'bf16' in ceil else None),
                preprocess_images_per_s=pre)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--presets', default='cpu,paper')
    ap.add_argument('--n', type=int, default=256, help='galaxies embedded per measurement (cpu preset)')
    ap.add_argument('--paper-n', type=int, default=64, help='galaxies embedded per measurement (paper preset)')
    ap.add_argument('--bs', type=int, default=64, help='batch size (the embed default)')
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--galaxies', type=int, default=32, help='distinct galaxies in the 200 px mock survey')
    ap.add_argument('--threads', type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument('--update', action='store_true', help='keep the other presets already in the JSON file')
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp(prefix='bench_embed_'))
    try:
        results = [measure_preset(p, a.paper_n if p == 'paper' else a.n, a.bs, a.rounds, a.galaxies, tmp)
                   for p in [s.strip() for s in a.presets.split(',') if s.strip()]]
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print()
    for r in results:
        print(f"preset {r['preset']}: {r['arch']} ({r['stem']} stem), {r['view_px']} px views from {r['input_px']} px stacks, "
              f"{r['n']} galaxies, batch {r['bs']}; preprocessing alone {r['preprocess_images_per_s']:.0f} images/s")
        print(table(r['rows'], ['variant', 'precision', 'images_per_s', 'of_ceiling'], {'images_per_s': '{:.1f}', 'of_ceiling': '{:.2f}'}))
        print()
    m = machine()
    for r in results: r['machine'], r['threads'] = m, torch.get_num_threads()
    target = Path(a.out) if a.out else RESULTS / 'embed_throughput.json'
    if a.update and target.exists():                      # keep the presets measured at another time
        done = {r['preset'] for r in results}
        results = [r for r in json.loads(target.read_text()).get('presets', []) if r['preset'] not in done] + results
    out = write_json('embed_throughput', dict(benchmark='embed_throughput', machine=m, presets=results), a.out)
    print(f"wrote {out}")


if __name__ == '__main__':
    main()
