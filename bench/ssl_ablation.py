"""Why does SimCLR + linear not beat the supervised baseline on the mock survey? An ablation of the augmentations.

Pretrains the `cpu` preset on an ingested data folder (default: the demo's `runs/demo/data`) with the paper's
augmentations and with variants that keep the colour signal of a tail (no per-band jitter) and the tail itself
(random crops keeping at least 30 % of the field), then measures, leave-one-cluster-out, the linear learner's
macro-F1 and ROC-AUC and precision@10 of jellyfish neighbours; and a randomly initialised encoder as the floor.
All variants run in this one process, one after the other, so the comparison is side by side.

    python bench/ssl_ablation.py [--data runs/demo/data] [--epochs 60]

Prints a table and writes bench/results/ssl_ablation.json.
"""
import argparse, json, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table as _table
COLS, FMT = ['variant', 'macro_f1', 'roc_auc', 'precision_at_10', 'minutes'], dict(macro_f1='{:.3f}', roc_auc='{:.3f}', precision_at_10='{:.3f}', minutes='{:.1f}')
def table(rows): return _table(rows, COLS, FMT)
from jellyfish_nbdev.data import load_manifest, load_stacks
from jellyfish_nbdev.simclr import PRESETS, pretrain, load_encoder, represent, make_encoder
from jellyfish_nbdev.linear import compare_methods, cluster_folds, metrics_dict
from jellyfish_nbdev.search import SimilarityIndex, precision_at_k

VARIANTS = {
    'paper augmentations': {},
    'no band jitter': dict(jitter=None),
    'no band jitter, crops >= 30%': dict(jitter=None, crop_scale=(0.3, 1.0)),
}


def evaluate(feats, man, y):
    res = compare_methods(feats, None, y, cluster_folds(man.cluster), supervised=False)
    m = metrics_dict(res)['ssl_linear']['overall']
    cat = man[['galaxy', 'jclass']].reset_index(drop=True)
    idx = SimilarityIndex(man.galaxy.values, feats - feats.mean(0), catalog=cat)   # centred: see the note in the output
    p10 = precision_at_k(idx, k=10).precision.iloc[0]
    return dict(macro_f1=m['macro_f1'], roc_auc=m['roc_auc'], precision_at_10=float(p10))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='runs/demo/data'); ap.add_argument('--epochs', type=int, default=60)
    a = ap.parse_args()
    man = load_manifest(a.data); x = load_stacks(man); y = (man.jclass > 0).astype(int).values
    rows, t0 = [], time.time()
    enc = make_encoder('resnet18', 12, 'standard').eval()
    cfg0 = dict(center_crop=PRESETS['cpu'].aug.center_crop, bin=1, size=PRESETS['cpu'].aug.size,
                mean=x.mean((0, 2, 3)).tolist(), std=x.std((0, 2, 3)).tolist())
    rows.append(dict(variant='random init (floor)', **evaluate(represent(enc, x, cfg0).numpy(), man, y), minutes=0.0))
    print(table(rows[-1:]), flush=True)
    import jellyfish_nbdev.simclr as S
    base = S.PRESETS['cpu']
    for name, aug in VARIANTS.items():
        S.PRESETS['cpu'] = replace(base, aug=replace(base.aug, **aug))
        with tempfile.TemporaryDirectory() as tmp:
            t = time.time()
            pretrain(a.data, preset='cpu', epochs=a.epochs, out=tmp, progress=False)
            enc, cfg = load_encoder(tmp)
            rows.append(dict(variant=name, **evaluate(represent(enc, x, cfg).numpy(), man, y), minutes=(time.time() - t) / 60))
        print(table(rows[-1:]), flush=True)
    S.PRESETS['cpu'] = base
    print(table(rows))
    write_json('ssl_ablation', dict(benchmark='ssl_ablation', data=a.data, epochs=a.epochs, n=len(man),
                                    rows=rows, machine=machine(), seconds=time.time() - t0))


if __name__ == '__main__':
    main()
