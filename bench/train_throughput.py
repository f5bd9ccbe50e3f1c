"""SimCLR training throughput (images/s): our fastai learner against the paper's original input pipeline and
against the compute ceiling, at the `cpu` and `paper` presets.

For each preset the same galaxies (a 200 px mock survey from `tiny_survey`, repeated to fill the batches), the
same encoder, batch size, view size, precision and memory layout are used by four variants:

- `ceiling`: forward + backward of the encoder alone on random views already in memory (no augmentation, no
  projection head, no optimiser): the most a training step can reach on this hardware;
- `model step`: encoder + projection head + NT-Xent + backward + AdamW step (fused, as the learner's) on views
  already in memory: what a SimCLR step costs besides making the views;
- `fastai` (a): `jellyfish_nbdev.simclr.simclr_learner`: the survey in memory (channels-last), batches of positions,
  the `SimCLR` callback makes the two views of each galaxy straight from the survey (`augment.augment_views`: no
  batch copy, one resampling per galaxy, jitter + standardisation in one pass), fused AdamW, fastai's training loop;
- `paper` (b): a re-implementation of the original pipeline (Yash-10/jellyfish_self_supervised,
  `data_utils/dataset_folder.py`): one `.npy` stack read per item, torchvision transforms applied image by image
  (CenterCrop 200, RandomResizedCrop, flips, per-band jitter p=0.8, RandomRotation 0-360, GaussianBlur 9 p=0.5,
  Normalize), twice per item, in `DataLoader` worker processes, feeding a plain PyTorch loop.

The variants run in turns (round robin), so their ratios are fair on a shared, noisy machine. Images/s count
galaxies (each gives two views). A short single-process measurement of the augmentation alone gives its CPU
cost per image in both pipelines: what decides how many CPU cores a GPU needs to be fed.

    python bench/train_throughput.py                         # both presets (paper preset: batch 8, 2 steps)
    python bench/train_throughput.py --presets cpu --rounds 3
    python bench/train_throughput.py --quick                 # a smoke test of the script (tiny sizes)
    python bench/train_throughput.py --presets paper --update --threads 1   # one preset, keep the other's numbers

On a shared machine, `--threads 1` avoids OpenMP threads spinning against other jobs; the images per
CPU-second columns are then the figures to compare (wall-clock rates depend on the share of the machine each
variant gets: the paper pipeline's worker processes claim extra cores).

Prints a table and writes bench/results/train_throughput.json. fp32 vs bf16 and NCHW vs channels-last are
measured by bench/simclr_speed.py (results/simclr_speed.json); this script uses each preset's own choice.
"""
import argparse, contextlib, json, os, statistics, sys, time, warnings
from pathlib import Path
import numpy as np
import torch
import torchvision.transforms as T
from torch.utils.data import Dataset, DataLoader

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table, RESULTS

warnings.filterwarnings('ignore', category=FutureWarning)
from fastai.callback.core import Callback
from jellyfish_nbdev.data import load_manifest, load_stacks, band_stats
from jellyfish_nbdev.synth import tiny_survey
from jellyfish_nbdev.augment import augment_views
from jellyfish_nbdev.simclr import get_preset, make_encoder, projection_head, EncoderHead, nt_xent, simclr_learner
from jellyfish_nbdev.train import cpu_has_bf16, adamw


# ---------------------------------------------------------------- the paper's original input pipeline (b)
class BandJitter:
    "Multiply every band by its own factor drawn from U(lo, hi) (the original `CustomColorJitter`)."
    def __init__(self, lo=0.8, hi=1.2): self.lo, self.hi = lo, hi
    def __call__(self, x): return x * torch.empty(x.shape[0], 1, 1).uniform_(self.lo, self.hi)


def paper_transforms(mean, std, center: int = 200, size: int = 72) -> T.Compose:
    "The original per-image SimCLR augmentation of one `(12, H, W)` tensor, in the original order."
    return T.Compose([T.CenterCrop(center), T.RandomResizedCrop(size), T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
                      T.RandomApply([BandJitter()], p=0.8), T.RandomRotation((0, 360)),
                      T.RandomApply([T.GaussianBlur(9, sigma=(0.1, 2.0))], p=0.5), T.Normalize(mean, std)])


class PaperNpyDataset(Dataset):
    "The original dataset: each item reads its `.npy` stack from disk and returns two independently transformed views."
    def __init__(self, paths, transform): self.paths, self.transform = list(paths), transform
    def __len__(self): return len(self.paths)
    def __getitem__(self, i):
        x = torch.from_numpy(np.load(self.paths[i]).astype(np.float32))
        return self.transform(x), self.transform(x)


# ---------------------------------------------------------------- helpers
def resolve_precision(name: str) -> str:
    "The precision `precision_callbacks` picks on this CPU for `name` ('auto' -> bf16 where the CPU has it)."
    return ('bf16' if cpu_has_bf16() else 'fp32') if name == 'auto' else name


def autocast(precision: str):
    return torch.autocast('cpu', dtype=torch.bfloat16) if precision == 'bf16' else contextlib.nullcontext()


def new_model(cfg, channels_last: bool, seed: int = 0):
    torch.manual_seed(seed)
    enc = make_encoder(cfg.arch, cfg.n_bands, cfg.stem)
    model = EncoderHead(enc, projection_head(enc.n_features, cfg.proj_hidden, cfg.proj_dim))
    return model.to(memory_format=torch.channels_last) if channels_last else model


def flops_per_image(cfg, channels_last: bool, precision: str) -> float:
    "Floating-point operations of the encoder's forward + backward for one image (two views), from PyTorch's counter."
    from torch.utils.flop_counter import FlopCounterMode
    enc = make_encoder(cfg.arch, cfg.n_bands, cfg.stem)
    v = torch.randn(2, cfg.n_bands, cfg.aug.size, cfg.aug.size)
    with FlopCounterMode(display=False) as fc:
        with autocast(precision): out = enc(v)
        out.float().sum().backward()
    return fc.get_total_flops()


_TICK = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100

def proc_cpu_s(pid: int) -> float:
    "User + system CPU seconds used so far by process `pid` (Linux /proc)."
    try: f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    except OSError: return 0.
    return (int(f[11]) + int(f[12])) / _TICK


class Clock:
    "Wall and CPU seconds between `start()` and `stop()`: CPU of this process (all threads) plus `pids`."
    def __init__(self, pids=()): self.pids = list(pids)
    def _cpu(self): return time.process_time() + sum(proc_cpu_s(p) for p in self.pids)
    def start(self): self.w, self.c = time.perf_counter(), self._cpu(); return self
    def stop(self): self.wall, self.cpu = time.perf_counter() - self.w, self._cpu() - self.c; return self


class Variant:
    "A way of training: `run(warmup, steps)` returns (images/s, images per CPU-second) over `steps` timed steps after `warmup` untimed ones."
    name = ''
    def run(self, warmup: int, steps: int) -> tuple: raise NotImplementedError


class Ceiling(Variant):
    name = 'ceiling (encoder fwd+bwd)'
    def __init__(self, cfg, bs, precision, channels_last):
        self.enc = new_model(cfg, channels_last).encoder
        self.v = torch.randn(2 * bs, cfg.n_bands, cfg.aug.size, cfg.aug.size)
        if channels_last: self.v = self.v.contiguous(memory_format=torch.channels_last)
        self.bs, self.precision = bs, precision
    def step(self):
        self.enc.zero_grad(set_to_none=True)
        with autocast(self.precision): f = self.enc(self.v)
        f.float().sum().backward()
    def run(self, warmup, steps):
        for _ in range(warmup): self.step()
        c = Clock().start()
        for _ in range(steps): self.step()
        c.stop()
        return self.bs * steps / c.wall, self.bs * steps / c.cpu


class ModelStep(Ceiling):
    name = 'model step (in-memory views)'
    def __init__(self, cfg, bs, precision, channels_last):
        super().__init__(cfg, bs, precision, channels_last)
        self.model = new_model(cfg, channels_last)
        self.opt = adamw(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.wd)
        self.temperature = cfg.temperature
    def step(self):
        with autocast(self.precision): z = self.model(self.v)
        loss = nt_xent(*z.float().chunk(2), temperature=self.temperature)
        self.opt.zero_grad(); loss.backward(); self.opt.step()


class _BatchTimes(Callback):
    "Record the time at the end of every training batch."
    order = 100
    def __init__(self, warmup, steps): self.warmup, self.steps = warmup, steps
    def before_fit(self): self.n, self.clock = 0, Clock()
    def after_batch(self):
        if not self.training: return
        self.n += 1
        if self.n == self.warmup: self.clock.start()
        if self.n == self.warmup + self.steps: self.clock.stop()


class FastaiLearner(Variant):
    name = 'fastai SimCLR learner (a)'
    def __init__(self, cfg, bs, x, mean, std, warmup, steps):
        n = bs * (warmup + steps)                          # one epoch = warmup + timed batches
        self.learn = simclr_learner(x[torch.arange(n) % len(x)].clone(), None, cfg, mean, std, device='cpu')
        self.bs = bs
    def run(self, warmup, steps):
        if warmup < 1: raise ValueError("the fastai variant needs at least one warm-up batch (the clock starts after it)")
        timer = _BatchTimes(warmup, steps)
        with self.learn.no_bar(), self.learn.no_logging(): self.learn.fit(1, cbs=[timer])
        if timer.n != warmup + steps: raise RuntimeError(f"expected {warmup + steps} batches, got {timer.n}")
        return self.bs * steps / timer.clock.wall, self.bs * steps / timer.clock.cpu


class PaperPipeline(Variant):
    name = 'paper pipeline (b)'
    def __init__(self, cfg, bs, paths, mean, std, precision, channels_last, workers, warmup, steps):
        n = bs * (warmup + steps)
        tf = paper_transforms(mean.tolist(), std.tolist(), cfg.aug.center_crop or 10**9, cfg.aug.size)
        self.ds = PaperNpyDataset([paths[i % len(paths)] for i in range(n)], tf)
        self.model = new_model(cfg, channels_last)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.wd)
        self.bs, self.precision, self.cl, self.workers, self.temperature = bs, precision, channels_last, workers, cfg.temperature
    def step(self, v1, v2):
        v = torch.cat([v1, v2])
        if self.cl: v = v.contiguous(memory_format=torch.channels_last)
        with autocast(self.precision): z = self.model(v)
        loss = nt_xent(*z.float().chunk(2), temperature=self.temperature)
        self.opt.zero_grad(); loss.backward(); self.opt.step()
    def run(self, warmup, steps):
        dl = DataLoader(self.ds, batch_size=self.bs, shuffle=True, drop_last=True, num_workers=self.workers)
        it = iter(dl)                                       # fresh workers each round: nothing prefetched in advance
        for _ in range(warmup): self.step(*next(it))
        c = Clock().start()
        for _ in range(steps): self.step(*next(it))
        c.stop()
        # the workers make batches ahead (prefetch), so the timed batches may have been made during the warm-up:
        # charge the timed steps their share of everything the (fresh) workers used, each batch costing the same
        workers = sum(proc_cpu_s(w.pid) for w in getattr(it, '_workers', []))
        del it
        return self.bs * steps / c.wall, self.bs * steps / (c.cpu + workers * steps / (warmup + steps))


def augment_cost(cfg, bs, x, paths, mean, std, reps: int = 3) -> dict:
    "Wall and CPU milliseconds per image (two views) of each pipeline's augmentation alone, in this process."
    def timed(fn):
        fn()                                                # warm-up
        w, c = time.perf_counter(), time.process_time()
        for _ in range(reps): fn()
        return 1e3 * (time.perf_counter() - w) / (reps * bs), 1e3 * (time.process_time() - c) / (reps * bs)
    xs, pos = x.contiguous(memory_format=torch.channels_last), torch.arange(bs) % len(x)
    g = torch.Generator().manual_seed(0)
    ours = lambda: augment_views(xs, pos, cfg.aug, g, 2, mean, std, channels_last=cfg.channels_last)
    ds = PaperNpyDataset([paths[i % len(paths)] for i in range(bs)],
                         paper_transforms(mean.tolist(), std.tolist(), cfg.aug.center_crop or 10**9, cfg.aug.size))
    theirs = lambda: torch.utils.data.default_collate([ds[i] for i in range(bs)])
    threads = torch.get_num_threads()
    res = {}
    res['ours_ms_per_image'], res['ours_cpu_ms_per_image'] = timed(ours)
    torch.set_num_threads(1)                                # as in a DataLoader worker
    try: res['paper_ms_per_image'], res['paper_cpu_ms_per_image'] = timed(theirs)
    finally: torch.set_num_threads(threads)
    res['ours_threads'] = threads
    return res


def measure_preset(preset, bs, warmup, steps, rounds, workers, n_galaxies, precision=None, channels_last=None) -> dict:
    cfg = get_preset(preset, bs=bs)
    cfg.precision = resolve_precision(precision or cfg.precision)
    if channels_last is not None: cfg.channels_last = channels_last
    bs, cl = cfg.bs, cfg.channels_last
    data_dir = tiny_survey(n=n_galaxies, size=200, seed=0)
    man = load_manifest(data_dir)
    x = load_stacks(man, crop=cfg.aug.center_crop if cfg.aug.center_crop and cfg.aug.center_crop < 200 else None)
    mean, std = band_stats(x)
    std = torch.where(std > 0, std, torch.ones_like(std))
    paths = list(man.path)
    print(f"[{preset}] {cfg.arch}, {cfg.stem} stem, {cfg.aug.size} px views, batch {bs}, {cfg.precision}"
          f"{' + channels_last' if cl else ''}; {warmup} warm-up + {steps} timed steps x {rounds} round(s)", flush=True)
    variants = [Ceiling(cfg, bs, cfg.precision, cl), ModelStep(cfg, bs, cfg.precision, cl),
                FastaiLearner(cfg, bs, x, mean.tolist(), std.tolist(), warmup, steps),
                PaperPipeline(cfg, bs, paths, mean, std, cfg.precision, cl, workers, warmup, steps)]
    rates, cpu_rates = {v.name: [] for v in variants}, {v.name: [] for v in variants}
    t0 = time.time()
    for r in range(rounds):
        for v in variants:
            w, c = v.run(warmup, steps)
            rates[v.name].append(w); cpu_rates[v.name].append(c)
            print(f"  round {r + 1}: {v.name:<32} {w:8.2f} images/s {c:8.2f} images/CPU-s", flush=True)
    ceil, ceil_cpu = rates[variants[0].name], cpu_rates[variants[0].name]
    rows = []
    for v in variants:
        rr, cc = rates[v.name], cpu_rates[v.name]
        rows.append(dict(variant=v.name, images_per_s=statistics.median(rr), runs=[round(a, 3) for a in rr],
                         of_ceiling=statistics.median(a / c for a, c in zip(rr, ceil)),
                         images_per_cpu_s=statistics.median(cc),
                         of_ceiling_cpu=statistics.median(a / c for a, c in zip(cc, ceil_cpu))))
    by = {r['variant']: r for r in rows}
    a, b = by[variants[2].name], by[variants[3].name]
    fl = flops_per_image(cfg, cl, cfg.precision)
    aug = augment_cost(cfg, bs, x, paths, mean, std)
    res = dict(preset=preset, arch=cfg.arch, stem=cfg.stem, view_px=cfg.aug.size, input_px=int(x.shape[-1]), bs=bs,
               precision=cfg.precision, channels_last=cl, warmup=warmup, steps=steps, rounds=rounds, threads=torch.get_num_threads(),
               paper_workers=workers, galaxies=len(x), seconds=round(time.time() - t0, 1), rows=rows,
               fastai_of_ceiling=a['of_ceiling'], paper_of_ceiling=b['of_ceiling'],
               fastai_over_paper=statistics.median(p / q for p, q in zip(rates[variants[2].name], rates[variants[3].name])),
               fastai_over_paper_cpu=statistics.median(p / q for p, q in zip(cpu_rates[variants[2].name], cpu_rates[variants[3].name])),
               fastai_of_ceiling_cpu=a['of_ceiling_cpu'], paper_of_ceiling_cpu=b['of_ceiling_cpu'],
               encoder_gflop_per_image=fl / 1e9,
               ceiling_gflop_per_s=by[variants[0].name]['images_per_s'] * fl / 1e9, augment=aug)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--presets', default='cpu,paper', help='comma-separated presets to measure')
    ap.add_argument('--rounds', type=int, default=3, help='rounds over the variants (cpu preset)')
    ap.add_argument('--steps', type=int, default=4, help='timed steps per variant and round (cpu preset)')
    ap.add_argument('--warmup', type=int, default=1, help='untimed steps per variant and round')
    ap.add_argument('--paper-bs', type=int, default=8, help='batch size at the paper preset (the paper: 32)')
    ap.add_argument('--paper-steps', type=int, default=2, help='timed steps at the paper preset (1 round)')
    ap.add_argument('--workers', type=int, default=2, help='DataLoader workers of the paper pipeline')
    ap.add_argument('--galaxies', type=int, default=32, help='galaxies in the 200 px mock survey')
    ap.add_argument('--threads', type=int, default=None, help="torch threads of the training process (default: torch's)")
    ap.add_argument('--quick', action='store_true', help='smoke test: batch 4, 1 step, 1 round, no JSON')
    ap.add_argument('--update', action='store_true', help='keep the other presets already in the JSON file')
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    results = []
    for p in [s.strip() for s in a.presets.split(',') if s.strip()]:
        if a.quick: kw = dict(bs=4, warmup=1, steps=1, rounds=1)
        elif p == 'paper': kw = dict(bs=a.paper_bs, warmup=a.warmup, steps=a.paper_steps, rounds=1)
        else: kw = dict(bs=None, warmup=a.warmup, steps=a.steps, rounds=a.rounds)
        results.append(measure_preset(p, workers=a.workers, n_galaxies=a.galaxies, **kw))
    print()
    for r in results:
        print(f"preset {r['preset']}: {r['arch']} ({r['stem']} stem), {r['view_px']} px views from {r['input_px']} px stacks, "
              f"batch {r['bs']}, {r['precision']}{' + channels_last' if r['channels_last'] else ''}; "
              f"encoder {r['encoder_gflop_per_image']:.1f} GFLOP per image (2 views, fwd+bwd), "
              f"ceiling {r['ceiling_gflop_per_s']:.0f} GFLOP/s")
        print(table(r['rows'], ['variant', 'images_per_s', 'of_ceiling', 'images_per_cpu_s', 'of_ceiling_cpu'],
                    {'images_per_s': '{:.2f}', 'of_ceiling': '{:.2f}', 'images_per_cpu_s': '{:.2f}', 'of_ceiling_cpu': '{:.2f}'}))
        g = r['augment']
        print(f"fastai / paper pipeline: {r['fastai_over_paper']:.2f}x wall, {r['fastai_over_paper_cpu']:.2f}x per CPU-second; augmentation alone, ms per image: ours "
              f"{g['ours_ms_per_image']:.2f} wall ({g['ours_cpu_ms_per_image']:.2f} CPU, {g['ours_threads']} threads), "
              f"paper {g['paper_ms_per_image']:.2f} wall ({g['paper_cpu_ms_per_image']:.2f} CPU, 1 thread)\n")
    if a.quick: return
    m = machine()
    for r in results: r['machine'] = m
    target = Path(a.out) if a.out else RESULTS / 'train_throughput.json'
    if a.update and target.exists():                      # keep the presets measured at another time
        done = {r['preset'] for r in results}
        results = [r for r in json.loads(target.read_text()).get('presets', []) if r['preset'] not in done] + results
    out = write_json('train_throughput', dict(benchmark='train_throughput', machine=m, gpu_measured=m['cuda'],
                                              presets=results), a.out)
    print(f"wrote {out}")


if __name__ == '__main__':
    main()
