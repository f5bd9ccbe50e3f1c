"""Which representation serves query by example? Precision@k of jellyfish queries against the truth, per representation.

For each cluster held out in turn (leave one cluster out, as the yardstick), the held-out cluster is the search database
and each of its true jellyfish a query; precision@k is the share of jellyfish among a query's k nearest neighbours
(cosine, the query excluded), pooled over the clusters' queries, against the base rate. Representations:

- the SimCLR backbone as the pipeline embeds it (L2-normalised), centred first, PCA-whitened first, the projection head,
  and its earlier stages (layer1..layer3 feature maps averaged over the image, centred);
- a randomly initialised backbone (the floor);
- encoders trained with labels on the *other* clusters' visual labels (`visual_jclass > 0`): `ssl_finetune` (the SimCLR
  weights fine-tuned with the supervised recipe) and `supervised` (the same recipe from scratch); their backbone
  features, centred, over `--seeds` training seeds (mean and spread).

    python bench/search_representation.py [--run runs/demo] [--k 10] [--seeds 0 1] [--trained ssl_finetune supervised]

Prints a table and writes bench/results/search_representation.json.
"""
import argparse, sys, time
from pathlib import Path
import numpy as np, pandas as pd, torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json
from jellyfish_nbdev.data import load_manifest, load_stacks, leave_one_cluster_out
from fastai.callback.hook import hook_outputs
from jellyfish_nbdev.simclr import projection_head
from jellyfish_nbdev.embed import load_encoder, represent, encoder_inputs
from jellyfish_nbdev.linear import fit_supervised
from jellyfish_nbdev.search import SimilarityIndex, precision_at_k


def centred(f): return f - f.mean(0)

def whitened(f, eps=1e-3):
    "PCA whitening: centred, rotated to the principal axes, each divided by its spread (components below `eps` of the largest dropped)."
    f = centred(f); u, s, vt = np.linalg.svd(f, full_matrices=False)
    keep = s > eps * s[0]
    return u[:, keep] * np.sqrt(len(f))

@torch.no_grad()
def pooled_layers(enc, x, config, names=('layer1', 'layer2', 'layer3'), bs=64) -> dict:
    "Feature maps of the encoder's stages `names`, averaged over the image: `{name: (N, channels)}`."
    out = {n: [] for n in names}
    with hook_outputs([getattr(enc, n) for n in names], detach=True) as hooks:   # fastai's forward hooks
        for i in range(0, len(x), bs):
            enc(encoder_inputs(x[i:i + bs], config))
            for n, o in zip(names, hooks.stored): out[n].append(o.mean((2, 3)).float())
    return {n: torch.cat(v).numpy() for n, v in out.items()}


def precision_in(feats, man, rows, k):
    "Precision@k of the true jellyfish among `rows` (one cluster) searched within `rows`; (precision, base rate, queries)."
    sub = man.iloc[rows].reset_index(drop=True)
    idx = SimilarityIndex(sub.galaxy.values, feats, catalog=sub[['galaxy', 'jclass']])
    p = precision_at_k(idx, k=k).iloc[0]
    return p.precision, p.base_rate, int(p.n_queries)


def pooled(per_cluster):
    "Precision and base rate pooled over clusters, weighted by their number of queries."
    p, b, n = (np.array(v, float) for v in zip(*per_cluster))
    return float((p * n).sum() / n.sum()), float((b * n).sum() / n.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--run', default='runs/demo'); ap.add_argument('--k', type=int, default=10)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1]); ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--trained', nargs='*', default=['ssl_finetune', 'supervised'], help='encoders trained with labels to compare')
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    t0 = time.time()
    man = load_manifest(Path(a.run) / 'data'); x = load_stacks(man)
    folds = leave_one_cluster_out(man.cluster)
    enc, config = load_encoder(Path(a.run) / 'pretrain')
    ssl = represent(enc, x, config).numpy()
    torch.manual_seed(0)
    rnd = represent(config.encoder().eval(), x, config).numpy()
    model = torch.load(Path(a.run) / 'pretrain' / 'checkpoint.pth', map_location='cpu', weights_only=False)['model']
    (hidden, n_in), n_out = model['head.0.weight'].shape, model['head.2.weight'].shape[0]
    head = projection_head(n_in, hidden, n_out)
    head.load_state_dict({k[5:]: v for k, v in model.items() if k.startswith('head.')})
    with torch.no_grad(): proj = head(torch.from_numpy(ssl)).numpy()
    rows = []
    def record(name, feats_of_fold, seed=None):
        res = [precision_in(feats_of_fold(tr, te), man, te, a.k) for _, tr, te in folds]
        p, b = pooled(res)
        rows.append(dict(representation=name, seed=seed, precision=p, base_rate=b, lift=p / b,
                         **{f'precision_{n}': r[0] for (n, _, _), r in zip(folds, res)}))
        print(f"{name:45s} seed {seed}: precision@{a.k} {p:.3f}  base {b:.3f}  lift {p / b:.2f}", flush=True)
    record('SimCLR backbone (as embedded: L2-normalised)', lambda tr, te: ssl[te])
    record('SimCLR backbone, centred', lambda tr, te: centred(ssl)[te])
    record('SimCLR backbone, PCA-whitened', lambda tr, te: whitened(ssl)[te])
    record('SimCLR projection head', lambda tr, te: proj[te])
    for name, f in pooled_layers(enc, x, config).items():
        record(f'SimCLR {name}, averaged over the image, centred', lambda tr, te, f=f: centred(f)[te])
    record('random-init backbone, centred (floor)', lambda tr, te: centred(rnd)[te])
    y = (man.visual_jclass > 0).astype(int).values
    for method in a.trained:
        for seed in a.seeds:
            feats = {}
            for name, tr, te in folds:
                learn = fit_supervised(x, y, tr, epochs=a.epochs, seed=seed, **(dict(encoder=enc, encoder_config=config) if method == 'ssl_finetune' else {}))
                e = learn.model.encoder.eval()
                with torch.no_grad():
                    feats[name] = torch.cat([e(encoder_inputs(x[i:i + 64], learn.config)).float() for i in range(0, len(x), 64)]).numpy()
            lookup = {tuple(te): feats[n] for n, _, te in folds}
            record(f'{method} backbone (other clusters\' labels), centred', lambda tr, te: centred(lookup[tuple(te)])[te], seed)
    df = pd.DataFrame(rows)
    summ = df.groupby('representation', sort=False)[['precision', 'base_rate', 'lift']].agg(['mean', 'std', 'count']).round(3)
    print(summ.to_string())
    write_json('search_representation', dict(
        benchmark='search_representation', k=a.k, run=a.run, n=len(man), seeds=a.seeds, sup_epochs=a.epochs,
        protocol='leave one cluster out: the held-out cluster is the database, its true jellyfish the queries; '
                 'precision@k pooled over clusters (weighted by queries); trained encoders use the other clusters\' visual labels',
        rows=rows, summary={r: {f'{c}_{s}': float(summ.loc[r, (c, s)]) for c in ('precision', 'base_rate', 'lift') for s in ('mean', 'std')}
                            for r in summ.index},
        machine=machine(), seconds=time.time() - t0), out=a.out)


if __name__ == '__main__':
    main()
