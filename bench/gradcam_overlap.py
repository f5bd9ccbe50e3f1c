"""Where can the classifiers' maps localise a tail? Grad-CAM per layer and occlusion, per classifier, on the true tail masks.

On an ingested mock survey with its pretrained SimCLR encoder (default: the demo run, `make demo`),
three classifiers are trained on the visual labels (`visual_jclass > 0`, as the pipeline trains)
with each cluster held out in turn (or only the paper's split, Fornax held out): `ssl_linear` (the
linear learner on the frozen representations), `supervised` (ResNet from scratch) and
`ssl_finetune` (the supervised recipe from the SimCLR weights). Every held-out jellyfish (the
galaxies with a mock tail mask) is explained by Grad-CAM at each layer (stem to layer3: 32×32 to
4×4 maps at the CPU preset's 64-px views) and by occlusion (`gradcam.occlusion_heatmaps`), and
`gradcam.tail_overlap` measures the heat on the true tail against the tail's share of the field
(enrichment; 1 = chance) and against the tail's mirror image about the galaxy's centre (the
control). Per seed the held-out galaxies of all folds are pooled; the summary is the mean ± std
over training seeds. Prints the table, writes bench/results/gradcam_overlap.json (per-galaxy rows
included, updated after every seed and fold, so an interrupted run keeps what it measured).

    python bench/gradcam_overlap.py                                  # demo run, 3 folds, 2 seeds (~30 min, shared 2-core CPU)
    python bench/gradcam_overlap.py --folds paper --seeds 0 --classifiers supervised
    python bench/gradcam_overlap.py --summarise-only                 # redo the tables from the stored rows
    python bench/gradcam_overlap.py --seeds 1 --out /tmp/s1.json     # one seed per process (in parallel), then
    python bench/gradcam_overlap.py --merge bench/results/gradcam_overlap.json /tmp/s1.json
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
from _util import machine, write_json, table

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--run', default=str(ROOT.parent / 'main' / 'runs' / 'demo') if not (ROOT / 'runs' / 'demo').exists() else str(ROOT / 'runs' / 'demo'),
                   help='pipeline run folder with data/, mock/, pretrain/ and embeddings/ (default: runs/demo)')
    p.add_argument('--folds', choices=('loco', 'paper'), default='loco', help='every cluster held out in turn, or Fornax only')
    p.add_argument('--seeds', default='0,1', help='training seeds')
    p.add_argument('--classifiers', default='ssl_linear,supervised,ssl_finetune')
    p.add_argument('--layers', default='encoder.relu,encoder.layer1,encoder.layer2,encoder.layer3', help='Grad-CAM layers')
    p.add_argument('--occlusion', default='8:4:sky', help='occlusion settings patch:stride:fill, comma separated (view px)')
    p.add_argument('--sup-epochs', type=int, default=15, help='epochs of the supervised and fine-tuned fits (the pipeline\'s)')
    p.add_argument('--threads', type=int, default=1, help='torch threads (the machine is shared)')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'gradcam_overlap.json'))
    p.add_argument('--summarise-only', action='store_true', help='recompute the summaries of an existing OUT (no training)')
    p.add_argument('--merge', nargs='+', metavar='JSON', help='join result files of the same settings but other seeds into OUT (no training)')
    a = p.parse_args(argv)
    if a.merge: return merge([Path(f) for f in a.merge], Path(a.out))
    if a.summarise_only: return resummarise(Path(a.out))

    import torch
    torch.set_num_threads(a.threads)
    warnings.filterwarnings('ignore', category=RuntimeWarning)
    from jellyfish_nbdev.data import load_manifest, load_stacks, leave_one_cluster_out
    from jellyfish_nbdev.embed import load_encoder
    from jellyfish_nbdev.simclr import EncoderHead
    from jellyfish_nbdev.linear import (fit_linear, fit_supervised, predict_images, load_features,
                                        paper_split)
    from jellyfish_nbdev.gradcam import tail_overlap_table

    t0 = time.perf_counter()
    run = Path(a.run)
    man = load_manifest(run / 'data'); x = load_stacks(man)
    feats = load_features(run / 'embeddings', man.galaxy)
    enc, config = load_encoder(run / 'pretrain')
    y = (pd.to_numeric(man.visual_jclass) > 0).astype(int).values
    truth = (man.jclass > 0).astype(int).values
    folds = leave_one_cluster_out(man.cluster) if a.folds == 'loco' else paper_split(man.cluster)
    occ = [dict(zip(('patch', 'stride', 'fill'), (int(s.split(':')[0]), int(s.split(':')[1]), s.split(':')[2]))) for s in a.occlusion.split(',') if s]
    print(f"{run}: {len(man)} galaxies, {truth.sum()} jellyfish (JClass {man.jclass[truth > 0].value_counts().sort_index().to_dict()}), "
          f"folds {[f[0] for f in folds]}, views {config.size} px", flush=True)
    rows, aucs, secs = [], [], {}
    res = {'args': vars(a), 'n_galaxies': len(man), 'n_jellyfish': int(truth.sum()), 'machine': machine()}
    for seed in map(int, a.seeds.split(',')):
        for fold, tr, te in folds:
            spe = 2 * int(np.bincount(y[tr]).max())                    # as the evaluation: an epoch of all the fold's labels
            cat = man.iloc[te].reset_index(drop=True)
            for name in a.classifiers.split(','):
                t = time.perf_counter()
                if name == 'ssl_linear':
                    model, cfg = EncoderHead(enc, fit_linear(feats, y, tr, seed=seed, samples_per_epoch=spe).model).eval(), config
                else:
                    kw = dict(encoder=enc, encoder_config=config) if name == 'ssl_finetune' else {}
                    learn = fit_supervised(x, y, tr, epochs=a.sup_epochs, seed=seed, samples_per_epoch=spe, **kw)
                    model, cfg = learn.model.eval(), learn.config
                fit_s = time.perf_counter() - t
                prob = predict_images(model, x[te], cfg)
                aucs.append(dict(classifier=name, seed=seed, fold=fold, idx=te.tolist(), score=prob.tolist()))
                t = time.perf_counter()
                for layer in a.layers.split(','):
                    rows.append(tail_overlap_table(model, x[te], cat, cfg, run / 'mock', layer=layer).assign(
                        classifier=name, method='gradcam', map=layer, seed=seed, fold=fold))
                g_s = time.perf_counter() - t
                t = time.perf_counter()
                for o in occ:
                    rows.append(tail_overlap_table(model, x[te], cat, cfg, run / 'mock', method='occlusion', seed=seed, **o).assign(
                        classifier=name, method='occlusion', map=f"{o['patch']}:{o['stride']}:{o['fill']}", seed=seed, fold=fold))
                o_s = time.perf_counter() - t
                secs.setdefault(name, []).append(dict(fit=round(fit_s, 1), gradcam=round(g_s, 1), occlusion=round(o_s, 1), fold=fold, seed=seed))
                print(f"seed {seed} fold {fold} {name}: fit {fit_s:.0f} s, Grad-CAM {g_s:.0f} s, occlusion {o_s:.0f} s", flush=True)
            galaxies = pd.concat(rows, ignore_index=True)
            res.update(seconds=secs, total_seconds=round(time.perf_counter() - t0, 1), heldout_roc_auc=auc_table(aucs, truth),
                       galaxies=compact(galaxies))
            res['summary'] = summarise(galaxies, quiet=True)
            write_json('gradcam_overlap', res, a.out)
    res['summary'] = summarise(galaxies)
    print('\nheld-out ROC-AUC against the truth (folds pooled), mean ± std over seeds:', res['heldout_roc_auc'])
    write(res, Path(a.out))


def auc_table(aucs: list, truth) -> dict:
    "Held-out ROC-AUC per classifier and seed (the folds' test galaxies pooled), mean and std over seeds."
    from sklearn.metrics import roc_auc_score
    out = {}
    df = pd.DataFrame(aucs)
    for name, g in df.groupby('classifier', sort=False):
        per_seed = []
        for seed, h in g.groupby('seed'):
            idx = np.concatenate(h.idx.map(np.asarray).values); s = np.concatenate(h.score.map(np.asarray).values)
            per_seed.append(roc_auc_score(truth[idx], s))
        out[name] = dict(mean=round(float(np.mean(per_seed)), 3), std=round(float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0., 3),
                         per_seed=[round(float(v), 3) for v in per_seed])
    return out


def summarise(galaxies: pd.DataFrame, quiet: bool = False) -> dict:
    """Per classifier, method and map (layer or occlusion setting): `overlap_by_jclass` of the held-out jellyfish of each seed
    (folds pooled), then mean and std over seeds of each JClass group's median enrichment, median mirror enrichment and
    fraction with more heat on the tail than on its mirror; the table of JClass ≥ 3 and all jellyfish printed."""
    from jellyfish_nbdev.gradcam import overlap_by_jclass
    per = []
    for (c, m, mp, seed), g in galaxies.groupby(['classifier', 'method', 'map', 'seed'], sort=False):
        t = overlap_by_jclass(g).reset_index()
        per.append(t.assign(jclass=t.jclass.astype(str), classifier=c, method=m, map=mp, seed=seed))
    per = pd.concat(per, ignore_index=True)
    cols = ['enrichment', 'mirror_enrichment', 'tail_over_mirror', 'cam_in_tail', 'tail_share']
    grp = per.groupby(['classifier', 'method', 'map', 'jclass'], sort=False)
    s = grp[cols].mean().join(grp[cols].std(ddof=1).fillna(0.).add_suffix('_std')).join(grp.n.first()).join(grp.seed.nunique().rename('n_seeds')).reset_index()
    if not quiet:
        rows = []
        for (c, m, mp), g in s.groupby(['classifier', 'method', 'map'], sort=False):
            g = g.set_index('jclass')
            r = dict(classifier=c, method=m, map=mp, seeds=int(g.n_seeds.max()))
            for k, lab in (('3+', 'J3+'), ('all', 'all')):
                if k in g.index:
                    r[f'n {lab}'] = int(g.loc[k, 'n'])
                    r[f'enrich {lab}'] = f"{g.loc[k, 'enrichment']:.2f} ± {g.loc[k, 'enrichment_std']:.2f}"
                    r[f'mirror {lab}'] = f"{g.loc[k, 'mirror_enrichment']:.2f} ± {g.loc[k, 'mirror_enrichment_std']:.2f}"
                    r[f'tail>mirror {lab}'] = f"{g.loc[k, 'tail_over_mirror']:.2f} ± {g.loc[k, 'tail_over_mirror_std']:.2f}"
            rows.append(r)
        print('\nmedian enrichment (1 = chance), its mirror control, share of galaxies with more heat on the tail than on its mirror;'
              ' held-out jellyfish, mean ± std over seeds')
        print(table(rows, list(rows[0])))
    return {'per_seed': json.loads(per.round(4).to_json(orient='records')), 'mean_over_seeds': json.loads(s.round(4).to_json(orient='records'))}


def compact(galaxies: pd.DataFrame) -> dict:
    "The per-galaxy rows as `{'columns': [...], 'rows': [[...], ...]}` (4 decimals): half the size of a list of records."
    return {'columns': list(galaxies.columns), 'rows': json.loads(galaxies.round(4).to_json(orient='values'))}


def rows_of(res: dict) -> pd.DataFrame:
    "The per-galaxy rows of a result file (compact, or the list of records of older files)."
    g = res['galaxies']
    return pd.DataFrame(g['rows'], columns=g['columns']) if isinstance(g, dict) else pd.DataFrame(g)


def write(res: dict, out: Path):
    print(f"\nwrote {write_json('gradcam_overlap', res, out)}")


def resummarise(out: Path):
    "Recompute the summaries of an existing result file from its per-galaxy rows."
    res = json.loads(out.read_text())
    print(f"held-out ROC AUC: {res.get('heldout_roc_auc')}")
    res['summary'] = summarise(rows_of(res))
    write(res, out)


def merge(files: list, out: Path):
    "One result from runs of the same settings on other seeds: rows, seconds and per-seed ROC-AUCs joined, summaries redone."
    parts = [json.loads(f.read_text()) for f in files]
    keep = ('folds', 'classifiers', 'layers', 'occlusion', 'sup_epochs', 'run')
    for q in parts[1:]:
        if any(q['args'][k] != parts[0]['args'][k] for k in keep): raise SystemExit(f"{files[0]} and the others differ in {keep}")
    res = dict(parts[0])
    seeds = [s for q in parts for s in sorted(set(rows_of(q).seed))]   # the seeds each file completed
    if len(set(seeds)) < len(seeds): raise SystemExit(f"seeds {seeds} overlap")
    res['args'] = {**parts[0]['args'], 'seeds': ','.join(map(str, seeds)), 'merged_from': [str(f) for f in files]}
    res['galaxies'] = compact(pd.concat([rows_of(q) for q in parts], ignore_index=True))
    res['seconds'] = {k: [r for q in parts for r in q['seconds'].get(k, [])] for k in parts[0]['seconds']}
    res['total_seconds'] = [q['total_seconds'] for q in parts]
    res['machine'] = [q['machine'] for q in parts]
    auc = {}
    for k in parts[0]['heldout_roc_auc']:
        v = [x for q in parts for x in q['heldout_roc_auc'][k]['per_seed']]
        auc[k] = dict(mean=round(float(np.mean(v)), 3), std=round(float(np.std(v, ddof=1)) if len(v) > 1 else 0., 3), per_seed=v)
    res['heldout_roc_auc'] = auc
    print(f"held-out ROC AUC: {auc}")
    res['summary'] = summarise(rows_of(res))
    write(res, out)


if __name__ == '__main__':
    main()
