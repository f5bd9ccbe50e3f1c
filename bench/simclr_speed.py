"""SimCLR training-step speed on this machine: fp32 vs bf16 autocast, NCHW vs channels-last.

One training step = two augmented views of each stack (jellyfish_nbdev.augment), standardisation,
forward, NT-Xent loss, backward and an AdamW step, as the `SimCLR` callback and `fit_simclr` run it.
The four variants are measured in turns (round robin, `--repeats` rounds) so that their ratios are
fair on a shared machine; the table reports the median step time of each variant.

    python bench/simclr_speed.py                 # the `cpu` preset (ResNet-18, standard stem, 64 px, batch 64)
    python bench/simclr_speed.py --preset paper --bs 8 --steps 2 --repeats 2    # the paper's, briefly

Prints a table and writes bench/results/simclr_speed.json.
"""
import argparse, json, os, platform, statistics, time
from dataclasses import replace
from pathlib import Path
import torch
from jellyfish_nbdev.augment import augment_batch
from jellyfish_nbdev.simclr import (get_preset, make_encoder, projection_head, SimCLRModel, normalize_bands, nt_xent,
                                    cpu_has_bf16)

VARIANTS = [('fp32', False), ('fp32', True), ('bf16', False), ('bf16', True)]


def cpu_name() -> str:
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown'


def make_step(cfg, precision, channels_last, x, seed=0):
    "A closure running one training step of `cfg` on the stacks `x`; returns (step function, model)."
    torch.manual_seed(seed)
    enc = make_encoder(cfg.arch, cfg.n_bands, cfg.stem)
    model = SimCLRModel(enc, projection_head(enc.n_features, cfg.proj_hidden, cfg.proj_dim))
    if channels_last: model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.wd)
    mean, std = x.mean((0, 2, 3)), x.std((0, 2, 3))
    g = torch.Generator().manual_seed(seed)

    def step():
        t0 = time.perf_counter()
        v = torch.cat([augment_batch(x, cfg.aug, g), augment_batch(x, cfg.aug, g)])
        v = normalize_bands(v, mean, std)
        if channels_last: v = v.contiguous(memory_format=torch.channels_last)
        t_aug = time.perf_counter() - t0
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=precision == 'bf16'):
            z = model(v)
        loss = nt_xent(*z.float().chunk(2), temperature=cfg.temperature)
        opt.zero_grad(); loss.backward(); opt.step()
        return time.perf_counter() - t0, t_aug
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='cpu')
    ap.add_argument('--bs', type=int, default=None, help='images per step (default: the preset batch size)')
    ap.add_argument('--input', type=int, default=200, help='side of the input stacks (px)')
    ap.add_argument('--steps', type=int, default=4, help='timed steps per variant and round')
    ap.add_argument('--warmup', type=int, default=1, help='untimed steps per variant and round')
    ap.add_argument('--repeats', type=int, default=3, help='rounds over the variants')
    ap.add_argument('--threads', type=int, default=None, help='torch threads (default: torch\'s)')
    ap.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'simclr_speed.json'))
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    cfg = get_preset(a.preset)
    bs = a.bs or cfg.bs
    x = torch.randn(bs, cfg.n_bands, a.input, a.input, generator=torch.Generator().manual_seed(0)).abs()
    load0 = os.getloadavg()
    steps = {v: make_step(cfg, *v, x) for v in VARIANTS}
    times = {v: [] for v in VARIANTS}; aug = {v: [] for v in VARIANTS}
    t_start = time.time()
    for r in range(a.repeats):
        for v in VARIANTS:
            for _ in range(a.warmup): steps[v]()
            for _ in range(a.steps):
                t, ta = steps[v](); times[v].append(t); aug[v].append(ta)
    load1 = os.getloadavg()
    base = statistics.median(times[VARIANTS[0]])
    rows = []
    for (prec, cl) in VARIANTS:
        t = statistics.median(times[(prec, cl)])
        rows.append({'precision': prec, 'channels_last': cl, 'step_s': t, 'augment_s': statistics.median(aug[(prec, cl)]),
                     'images_per_s': bs / t, 'views_per_s': 2 * bs / t, 'speedup': base / t})
    best = max(rows, key=lambda r: r['images_per_s'])
    info = {'preset': a.preset, 'arch': cfg.arch, 'stem': cfg.stem, 'view_px': cfg.aug.size, 'input_px': a.input, 'bs': bs,
            'steps': a.steps, 'repeats': a.repeats, 'threads': torch.get_num_threads(), 'cpu': cpu_name(),
            'cpu_native_bf16': cpu_has_bf16(), 'torch': torch.__version__, 'loadavg_before': load0, 'loadavg_after': load1,
            'seconds': round(time.time() - t_start, 1), 'date': time.strftime('%Y-%m-%d %H:%M'),
            'best': {'precision': best['precision'], 'channels_last': best['channels_last']}, 'rows': rows}
    print(f"SimCLR training step, preset {a.preset} ({cfg.arch}, {cfg.stem} stem, {cfg.aug.size} px views, batch {bs}), "
          f"{info['threads']} threads, {info['cpu']}; load average {load0[0]:.1f} -> {load1[0]:.1f}")
    print(f"{'precision':<10}{'layout':<15}{'step (s)':>10}{'augment (s)':>13}{'images/s':>10}{'views/s':>9}{'speed-up':>10}")
    for r in rows:
        print(f"{r['precision']:<10}{'channels_last' if r['channels_last'] else 'NCHW':<15}{r['step_s']:>10.3f}"
              f"{r['augment_s']:>13.3f}{r['images_per_s']:>10.1f}{r['views_per_s']:>9.1f}{r['speedup']:>9.2f}x")
    print(f"fastest: {best['precision']}{' + channels_last' if best['channels_last'] else ''}")
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f'.{out.name}.tmp'); tmp.write_text(json.dumps(info, indent=1)); os.replace(tmp, out)
    print(f"wrote {out}")


if __name__ == '__main__':
    main()
