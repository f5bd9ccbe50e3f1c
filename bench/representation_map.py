"""A 2-D map of the representations: UMAP (umap-learn) vs scikit-learn's t-SNE, time and quality.

On the demo run's embeddings (if `--run` has them) and on synthetic 512-d representations
(`jellyfish_nbdev.synth.synthetic_representations`) of `--sizes` galaxies, each method maps the
unit vectors to 2-D; we report the wall time and two qualities: trustworthiness (scikit-learn, on a
2,000-point subsample, 10 neighbours: are the map's neighbours true neighbours?) and kNN label
agreement (the share of each point's 10 map neighbours with its label, JClass on the demo, mixture
component on synthetic data, against the same share in the full space). A method is skipped at a
size once it ran over `--max-seconds` at a smaller size. Prints a table and writes
bench/results/representation_map.json.

    python bench/representation_map.py --run runs/demo --sizes 10000,100000
"""
import argparse, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table, portable


def knn_agreement(y, labels, k: int = 10, n: int = 2000, seed: int = 0) -> float:
    "Mean share of the `k` nearest neighbours (in `y`) of `n` sampled points that share their label."
    from sklearn.neighbors import NearestNeighbors
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(y), size=min(n, len(y)), replace=False)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(y)
    idx = nn.kneighbors(y[rows], return_distance=False)[:, 1:]
    return float((labels[idx] == labels[rows, None]).mean())


def run_method(method: str, x, seed: int = 0):
    t = time.perf_counter()
    if method == 'umap':
        import umap
        y = umap.UMAP(n_neighbors=15, min_dist=0.1, metric='cosine', random_state=seed, n_jobs=1).fit_transform(x)
    else:
        from sklearn.manifold import TSNE
        y = TSNE(n_components=2, perplexity=min(30, (len(x) - 1) / 3), init='pca', metric='cosine',
                 random_state=seed, n_jobs=2).fit_transform(x)
    return np.asarray(y, np.float32), time.perf_counter() - t


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--run', default='runs/demo', help='a run folder with embeddings/ (skipped if absent)')
    p.add_argument('--sizes', default='10000,100000', help='synthetic sizes, comma-separated')
    p.add_argument('--methods', default='umap,tsne')
    p.add_argument('--max-seconds', type=float, default=900, help='skip larger sizes for a method slower than this')
    p.add_argument('--out', default=None)
    a = p.parse_args(argv)
    from sklearn.manifold import trustworthiness
    from jellyfish_nbdev.search import load_embeddings
    from jellyfish_nbdev.synth import synthetic_representations
    sets = []
    emb = Path(a.run) / 'embeddings'
    if (emb / 'embeddings.npy').exists():
        ids, x, cat = load_embeddings(emb)
        lab = cat.set_index('galaxy').reindex(ids)['jclass'].fillna(-1).astype(int).to_numpy()
        sets.append((f'demo ({portable(emb.resolve())})', x, lab))
    for n in [int(s) for s in a.sizes.split(',') if s]:
        x, lab = synthetic_representations(n, d=512, seed=0, return_labels=True)
        sets.append((f'synthetic {n:,}', x, lab))
    rows, slow = [], set()
    rng = np.random.default_rng(0)
    for name, x, lab in sets:
        full = knn_agreement(x, lab)
        for m in a.methods.split(','):
            if m in slow: rows.append(dict(data=name, n=len(x), method=m, seconds=None, note='skipped: too slow at a smaller size')); continue
            print(f'{name}: {m} ...', flush=True)
            y, s = run_method(m, x)
            sub = rng.choice(len(x), size=min(2000, len(x)), replace=False)
            tw = trustworthiness(x[sub], y[sub], n_neighbors=10, metric='cosine')
            rows.append(dict(data=name, n=len(x), method=m, seconds=round(s, 1), trustworthiness=round(float(tw), 3),
                             knn_label_2d=round(knn_agreement(y, lab), 3), knn_label_full=round(full, 3)))
            print(table(rows[-1:], list(rows[-1])), flush=True)
            if s > a.max_seconds: slow.add(m)
    cols = ['data', 'n', 'method', 'seconds', 'trustworthiness', 'knn_label_2d', 'knn_label_full']
    print(); print(table(rows, cols))
    out = write_json('representation_map', dict(benchmark='representation_map', rows=rows, machine=machine()), a.out)
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
