"""Do retrieval tricks lift query by example on the demo's encoder? Precision@k of jellyfish queries against the truth.

The demo's metric (whole catalogue: every true jellyfish queries all other galaxies, cosine, itself excluded) for the SimCLR
backbone as the pipeline embeds it, and for three changes that need no labels:

- **dihedral averaging**: the representation averaged over the 8 rotations by 90° and flips of the stack (a tail's
  direction says nothing about whether it is one, so a query should not depend on it);
- **database-side augmentation** (DBA): each representation replaced by the similarity-weighted mean of itself and its
  `m` nearest neighbours (weights `sim**alpha`), a standard re-ranking step in image retrieval;
- both.

    python bench/search_tta.py [--run runs/demo] [--k 5 10]

Prints a table and writes bench/results/search_tta.json. One encoder, so the spread to compare with is the one over
pretraining seeds in bench/results/ssl_ablation.json (precision@10 ± 0.018 for the cpu preset).
"""
import argparse, sys, time
from pathlib import Path
import numpy as np, torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table
from jellyfish_nbdev.data import load_manifest, load_stacks
from jellyfish_nbdev.embed import load_encoder, represent
from jellyfish_nbdev.search import SimilarityIndex, precision_at_k, l2_normalise


def dihedral_mean(enc, x, config) -> np.ndarray:
    "The representation averaged over the 8 symmetries of the square (rotations by 90° and their mirror images)."
    views = [represent(enc, torch.flip(torch.rot90(x, r, (2, 3)), (3,)) if f else torch.rot90(x, r, (2, 3)), config).numpy()
             for r in range(4) for f in (False, True)]
    return np.mean([l2_normalise(v) for v in views], 0)


def dba(f: np.ndarray, m: int, alpha: float) -> np.ndarray:
    "Database-side augmentation: each row the `sim**alpha`-weighted mean of itself and its `m` nearest neighbours (cosine)."
    f = l2_normalise(f); s = f @ f.T
    nn = np.argsort(-s, 1)[:, :m + 1]
    w = np.take_along_axis(s, nn, 1).clip(0) ** alpha
    return l2_normalise((w[..., None] * f[nn]).sum(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--run', default='runs/demo'); ap.add_argument('--k', type=int, nargs='+', default=[5, 10])
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    t0 = time.time()
    man = load_manifest(Path(a.run) / 'data'); x = load_stacks(man)
    enc, config = load_encoder(Path(a.run) / 'pretrain')
    cat = man[['galaxy', 'jclass']].assign(galaxy=man.galaxy.astype(str))
    plain = represent(enc, x, config).numpy()
    tta = dihedral_mean(enc, x, config)
    reps = {'backbone (as the demo embeds it)': plain, 'dihedral mean': tta}
    for m in (1, 2, 3, 5):
        reps[f'DBA m={m}'] = dba(plain, m, 0.)
        reps[f'dihedral mean + DBA m={m}'] = dba(tta, m, 0.)
    rows = []
    for name, f in reps.items():
        pk = precision_at_k(SimilarityIndex(cat.galaxy.values, f, catalog=cat, engine='exact'), k=a.k)
        rows.append(dict(representation=name, **{f'p@{r.k}': r.precision for r in pk.itertuples()},
                         **{f'lift@{r.k}': r.lift for r in pk.itertuples()}, base_rate=float(pk.base_rate.iloc[0])))
    cols = ['representation'] + [f'{s}@{k}' for k in a.k for s in ('p', 'lift')]
    print(table(rows, cols, {c: '{:.3f}' if c.startswith('p@') else '{:.2f}' for c in cols[1:]}))
    write_json('search_tta', dict(benchmark='search_tta', run=a.run, n=len(man), k=a.k, rows=rows,
                                  protocol='whole catalogue, true jellyfish as queries, cosine, self excluded (the demo\'s precision@k)',
                                  machine=machine(), seconds=time.time() - t0), out=a.out)


if __name__ == '__main__':
    main()
