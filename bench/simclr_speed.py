"""SimCLR training-step speed on this machine: fp32 vs bf16 autocast, NCHW vs channels-last.

One training step = two augmented, standardised views of each stack made straight from the stacks in memory
(`augment.augment_views`, the survey held in the variant's memory layout), forward, NT-Xent loss, backward and a
fused AdamW step, as the `SimCLR` callback and `fit_simclr` run it.
The four variants are measured in turns (round robin, `--repeats` rounds) so that their ratios are
fair on a shared machine; the table reports the median step time of each variant.

    python bench/simclr_speed.py                    # the cpu preset (ResNet-18, standard stem, 64 px, batch 64)
                                                    # and a short look at the paper's (ResNet-34, paper stem, 72 px, batch 8)
    python bench/simclr_speed.py --presets cpu --threads 1

Prints a table and writes bench/results/simclr_speed.json.
"""
import argparse, os, statistics, time
import torch
from _util import machine, write_json
from jellyfish_nbdev.augment import augment_views
from jellyfish_nbdev.simclr import get_preset, make_encoder, projection_head, EncoderHead, nt_xent
from jellyfish_nbdev.train import cpu_has_bf16, adamw

VARIANTS = [('fp32', False), ('fp32', True), ('bf16', False), ('bf16', True)]


def make_step(cfg, precision, channels_last, x, seed=0):
    "A closure running one training step of `cfg` on the stacks `x`; returns (step function, model)."
    torch.manual_seed(seed)
    enc = make_encoder(cfg.arch, cfg.n_bands, cfg.stem)
    model = EncoderHead(enc, projection_head(enc.n_features, cfg.proj_hidden, cfg.proj_dim))
    if channels_last: model = model.to(memory_format=torch.channels_last)
    opt = adamw(model.parameters(), lr=cfg.lr, weight_decay=cfg.wd)
    mean, std = x.mean((0, 2, 3)), x.std((0, 2, 3))
    g = torch.Generator().manual_seed(seed)
    survey, pos = (x.contiguous(memory_format=torch.channels_last) if channels_last else x), torch.arange(len(x))

    def step():
        t0 = time.perf_counter()
        v = augment_views(survey, pos, cfg.aug, g, 2, mean, std, channels_last=channels_last)
        t_aug = time.perf_counter() - t0
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=precision == 'bf16'):
            z = model(v)
        loss = nt_xent(*z.float().chunk(2), temperature=cfg.temperature)
        opt.zero_grad(); loss.backward(); opt.step()
        return time.perf_counter() - t0, t_aug
    return step


def measure(preset, bs, input_px, steps, warmup, repeats) -> dict:
    "Median step times of the four variants for `preset`, measured round robin."
    cfg = get_preset(preset)
    bs = bs or cfg.bs
    x = torch.randn(bs, cfg.n_bands, input_px, input_px, generator=torch.Generator().manual_seed(0)).abs()
    load0 = os.getloadavg()
    step = {v: make_step(cfg, *v, x) for v in VARIANTS}
    times = {v: [] for v in VARIANTS}; aug = {v: [] for v in VARIANTS}
    t_start = time.time()
    for r in range(repeats):
        for v in VARIANTS:
            for _ in range(warmup): step[v]()
            for _ in range(steps):
                t, ta = step[v](); times[v].append(t); aug[v].append(ta)
    base = statistics.median(times[VARIANTS[0]])
    rows = []
    for (prec, cl) in VARIANTS:
        t = statistics.median(times[(prec, cl)])
        rows.append({'precision': prec, 'channels_last': cl, 'step_s': t, 'augment_s': statistics.median(aug[(prec, cl)]),
                     'images_per_s': bs / t, 'views_per_s': 2 * bs / t, 'speedup': base / t})
    best = max(rows, key=lambda r: r['images_per_s'])
    return {'preset': preset, 'arch': cfg.arch, 'stem': cfg.stem, 'view_px': cfg.aug.size, 'input_px': input_px, 'bs': bs,
            'steps': steps, 'repeats': repeats, 'loadavg_before': load0, 'loadavg_after': os.getloadavg(),
            'seconds': round(time.time() - t_start, 1),
            'best': {'precision': best['precision'], 'channels_last': best['channels_last']}, 'rows': rows}


def show(r: dict):
    print(f"\npreset {r['preset']} ({r['arch']}, {r['stem']} stem, {r['view_px']} px views, batch {r['bs']}); "
          f"load average {r['loadavg_before'][0]:.1f} -> {r['loadavg_after'][0]:.1f}")
    print(f"{'precision':<10}{'layout':<15}{'step (s)':>10}{'augment (s)':>13}{'images/s':>10}{'views/s':>9}{'speed-up':>10}")
    for w in r['rows']:
        print(f"{w['precision']:<10}{'channels_last' if w['channels_last'] else 'NCHW':<15}{w['step_s']:>10.3f}"
              f"{w['augment_s']:>13.3f}{w['images_per_s']:>10.1f}{w['views_per_s']:>9.1f}{w['speedup']:>9.2f}x")
    print(f"fastest: {r['best']['precision']}{' + channels_last' if r['best']['channels_last'] else ''}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--presets', nargs='+', default=['cpu', 'paper'], help='presets to measure')
    ap.add_argument('--bs', type=int, default=None, help='images per step (default: the cpu preset\'s batch, 8 for paper)')
    ap.add_argument('--input', type=int, default=200, help='side of the input stacks (px)')
    ap.add_argument('--steps', type=int, default=4, help='timed steps per variant and round (paper: at most 2)')
    ap.add_argument('--warmup', type=int, default=1, help='untimed steps per variant and round')
    ap.add_argument('--repeats', type=int, default=3, help='rounds over the variants (paper: 1)')
    ap.add_argument('--threads', type=int, default=None, help='torch threads (default: torch\'s)')
    ap.add_argument('--out', default=None, help='output JSON (default: bench/results/simclr_speed.json)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    print(f"SimCLR training steps on {torch.get_num_threads()} threads of {machine()['cpu']} "
          f"(native bf16: {cpu_has_bf16()})")
    res = {}
    for p in a.presets:
        heavy = p == 'paper'            # the paper stem is 16x the computation: a short look only
        res[p] = measure(p, a.bs or (8 if heavy else None), a.input, min(a.steps, 2) if heavy else a.steps, a.warmup,
                         1 if heavy else a.repeats)
        show(res[p])
    m = machine()
    main_preset = res['cpu'] if 'cpu' in res else res[a.presets[0]]
    # the first (cpu) preset's numbers at the top level, as before; every preset under 'presets'
    info = {**main_preset, 'threads': torch.get_num_threads(), 'cpu_native_bf16': cpu_has_bf16(), 'date': m['date'],
            'machine': m, 'presets': res}
    print(f"wrote {write_json('simclr_speed', info, a.out)}")


if __name__ == '__main__':
    main()
