"""What does tail occlusion do to the asymmetry residual the cpu preset's encoder sees?

The evaluation's occlusion test replaces a held-out jellyfish's true tail pixels (the mock's tail mask) by sky noise
(`tail_sky`) or by the galaxy's point-mirrored pixels (`tail_mirror`) and asks how much each classifier's score drops.
The encoder of the cpu preset does not see the bands: it sees `data.input_stacks(x, 'asymmetry')`, the stack minus its
180° rotation about the galaxy's centre. This script measures, on the same galaxies and masks, what each occlusion leaves
of that residual: the summed |residual| of the whole stack and inside the tail mask, and the signed residual inside the
mask (positive: the tail side brighter than its mirror). Medians over the jellyfish with a mask; original against each
occlusion side by side in one run.

    python bench/occlusion_residual.py [--run runs/demo] [--max 0]

Prints a table and writes bench/results/occlusion_residual.json.
"""
import argparse, sys, time
from pathlib import Path
import numpy as np, torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table
from jellyfish_nbdev.data import load_manifest, load_stacks, input_stacks
from jellyfish_nbdev.gradcam import load_tail_masks
from jellyfish_nbdev.linear import occlude_tails


def residual_sums(x: torch.Tensor, masks: list) -> dict:
    "Per galaxy: summed |asymmetry residual| over the stack and inside its tail mask, and the signed residual inside the mask."
    a = input_stacks(x, 'asymmetry').numpy()
    return dict(total=np.abs(a).sum((1, 2, 3)),
                in_tail=np.array([np.abs(r).sum(0)[m].sum() for r, m in zip(a, masks)]),
                signed_in_tail=np.array([r.sum(0)[m].sum() for r, m in zip(a, masks)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--run', default='runs/demo'); ap.add_argument('--max', type=int, default=0, help='at most this many galaxies (0: all)')
    a = ap.parse_args()
    t0 = time.time()
    run = Path(a.run)
    man = load_manifest(run / 'data'); x = load_stacks(man)
    masks = load_tail_masks(man, run / 'mock', x.shape)
    rows = sorted(masks)[:a.max or None]
    centers = {i: (float(man.x_center.iloc[i]), float(man.y_center.iloc[i])) for i in rows}
    sub = {i: masks[i] for i in rows}
    m = [np.asarray(masks[i], bool) for i in rows]
    r = torch.as_tensor(rows)
    res, out = {}, []
    for how in ('none', 'sky', 'mirror'):
        xo = x if how == 'none' else occlude_tails(x, sub, centers, how)
        res[how] = residual_sums(xo[r], m)
    for how, s in res.items():
        out.append(dict(occlusion={'none': 'original', 'sky': 'tail_sky', 'mirror': 'tail_mirror'}[how], n=len(rows),
                        total_abs=float(np.median(s['total'])), in_tail_abs=float(np.median(s['in_tail'])),
                        in_tail_signed=float(np.median(s['signed_in_tail'])),
                        total_ratio=float(np.median(s['total'] / res['none']['total'])),
                        in_tail_ratio=float(np.median(s['in_tail'] / res['none']['in_tail']))))
    print(table(out, ['occlusion', 'n', 'total_abs', 'in_tail_abs', 'in_tail_signed', 'total_ratio', 'in_tail_ratio'],
                dict(total_abs='{:.0f}', in_tail_abs='{:.0f}', in_tail_signed='{:+.0f}', total_ratio='{:.3f}', in_tail_ratio='{:.3f}')))
    write_json('occlusion_residual', dict(benchmark='occlusion_residual', run=str(a.run), rows=out,
                                          protocol='medians over the jellyfish with a mock tail mask; asymmetry residual of data.input_stacks',
                                          machine=machine(), seconds=time.time() - t0))


if __name__ == '__main__':
    main()
