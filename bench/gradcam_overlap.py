"""Does Grad-CAM find the tail? Heat on the true tail mask of mock jellyfish, per JClass, method and layer.

A mock survey (`data.tiny_survey`) is pretrained on with SimCLR (CPU preset, all galaxies, no
labels); a linear learner on its frozen representations and the supervised baseline are trained on
the paper's split (clusters Antlia + Hydra) and explained on every jellyfish, the held-out cluster
(Fornax) reported apart. For each classifier and layer, `gradcam.tail_overlap_table` measures the
fraction of the Grad-CAM heat inside the tail mask, the tail's share of the field, their ratio
(enrichment; 1 = chance) and the same for the tail's mirror image about the galaxy centre (the
control: a map that follows the galaxy's light scores alike on both). Prints the tables and
writes bench/results/gradcam_overlap.json.

    python bench/gradcam_overlap.py                     # 120 galaxies of 64 px, 10 + 10 epochs
    python bench/gradcam_overlap.py --n 48 --epochs 2 --sup-epochs 2
    python bench/gradcam_overlap.py --summarise-only    # re-read the per-galaxy rows, redo the tables
"""
import argparse, json, tempfile, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
from _util import machine, write_json


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=120, help='galaxies in the mock survey')
    p.add_argument('--size', type=int, default=64, help='cutout size (px)')
    p.add_argument('--seed', type=int, default=0, help='mock survey seed')
    p.add_argument('--epochs', type=int, default=10, help='SimCLR pretraining epochs (CPU preset)')
    p.add_argument('--sup-epochs', type=int, default=10, help='epochs of the supervised baseline')
    p.add_argument('--train-clusters', default='Antlia,Hydra', help='clusters the classifiers are trained on')
    p.add_argument('--layers', default='encoder.layer2,encoder.layer3,encoder.layer4', help='layers to explain')
    p.add_argument('--threads', type=int, default=2, help='torch threads (the machine is shared)')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'gradcam_overlap.json'))
    p.add_argument('--summarise-only', action='store_true', help='recompute the summaries of an existing OUT (no training)')
    a = p.parse_args(argv)
    if a.summarise_only: return resummarise(Path(a.out))

    import torch
    torch.set_num_threads(a.threads)
    warnings.filterwarnings('ignore', category=RuntimeWarning)
    from sklearn.metrics import roc_auc_score
    from jellyfish_nbdev.data import tiny_survey, load_manifest, load_stacks
    from jellyfish_nbdev.simclr import pretrain, load_encoder, represent
    from jellyfish_nbdev.linear import fit_linear, fit_supervised, JellyfishClassifier, predict_images
    from jellyfish_nbdev.gradcam import tail_overlap_table, mock_dir_of

    t0 = time.perf_counter()
    data_dir = tiny_survey(n=a.n, size=a.size, seed=a.seed)
    man = load_manifest(data_dir); x = load_stacks(man)
    y = (man.jclass > 0).astype(int).values
    print(f"mock survey: {len(man)} galaxies, {y.sum()} jellyfish, JClass counts "
          f"{man.jclass[y > 0].value_counts().sort_index().to_dict()} ({time.perf_counter() - t0:.0f} s)", flush=True)
    train = man.cluster.isin(a.train_clusters.split(',')).values
    tr = np.flatnonzero(train)

    t = time.perf_counter()
    run = Path(tempfile.mkdtemp()) / 'run'
    pretrain(data_dir, preset='cpu', epochs=a.epochs, out=run, progress=False)
    enc, config = load_encoder(run)
    feats = represent(enc, x, config).numpy()
    ssl = JellyfishClassifier(enc, fit_linear(feats, y, tr).model)
    pre_s = time.perf_counter() - t
    print(f"SimCLR pretraining + linear learner: {pre_s:.0f} s", flush=True)
    t = time.perf_counter()
    sup = fit_supervised(x, y, tr, epochs=a.sup_epochs)
    sup_s = time.perf_counter() - t
    print(f"supervised baseline: {sup_s:.0f} s", flush=True)

    classifiers = {'ssl_linear': (ssl, config), 'supervised': (sup.model, sup.config)}
    mock_dir = mock_dir_of(data_dir)
    tables, auc = [], {}
    for name, (model, cfg) in classifiers.items():
        prob = predict_images(model, x, cfg)
        auc[name] = float(roc_auc_score(y[~train], prob[~train])) if len(np.unique(y[~train])) == 2 else float('nan')
        for layer in a.layers.split(','):
            tab = tail_overlap_table(model, x, man, cfg, mock_dir, layer=layer)
            tab['split'] = np.where(man.set_index('galaxy').loc[tab.galaxy].cluster.isin(a.train_clusters.split(',')).values, 'train', 'held-out')
            tab['method'], tab['layer'] = name, layer
            tables.append(tab)
    print(f"held-out ROC AUC: {', '.join(f'{k} {v:.2f}' for k, v in auc.items())}")
    galaxies = pd.concat(tables)
    summaries = summarise(galaxies)
    out = Path(a.out)
    res = {'args': vars(a), 'n_galaxies': len(man), 'n_jellyfish': int(y.sum()), 'heldout_roc_auc': auc,
           'seconds': {'pretrain_and_linear': round(pre_s, 1), 'supervised': round(sup_s, 1),
                       'total': round(time.perf_counter() - t0, 1)},
           'machine': machine(),
           'summary': summaries,
           'galaxies': json.loads(galaxies.round(4).to_json(orient='records'))}
    write(res, out)


def summarise(galaxies: pd.DataFrame) -> dict:
    "`{(method, layer, split): overlap_by_jclass table}` for all jellyfish and for the held-out ones; printed."
    from jellyfish_nbdev.gradcam import overlap_by_jclass
    out = {}
    for (name, layer), tab in galaxies.groupby(['method', 'layer'], sort=False):
        for split, sel in (('all', tab), ('held-out', tab[tab.split == 'held-out'])):
            if len(sel): out[(name, layer, split)] = overlap_by_jclass(sel)
    for (name, layer, split), t in out.items(): print(f"\n{name}, {layer}, {split} galaxies:\n{t.to_string()}")
    return {f'{n}|{l}|{s}': json.loads(t.reset_index().to_json(orient='records')) for (n, l, s), t in out.items()}


def write(res: dict, out: Path):
    print(f"\nwrote {write_json('gradcam_overlap', res, out)}")


def resummarise(out: Path):
    "Recompute the summaries of an existing result file from its per-galaxy rows."
    res = json.loads(out.read_text())
    print(f"held-out ROC AUC: {res['heldout_roc_auc']}")
    res['summary'] = summarise(pd.DataFrame(res['galaxies']))
    write(res, out)


if __name__ == '__main__':
    main()
