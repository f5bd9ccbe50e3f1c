"""Which SimCLR view recipe makes representations that see tails? An ablation on the yardstick's protocol.

Pretrains the `cpu` preset on an ingested mock survey (default: the demo's `runs/demo/data`) with each view recipe and
encoder inputs (`data.input_stacks`: the bands, other sources masked, or the asymmetry residual), and a randomly initialised
encoder on the plain and on the asymmetry inputs as floors, once per pretraining seed, then scores the frozen representations
as the demo does: the linear learner trained on the visual labels (`visual_jclass`), leave one cluster out over
three evaluation seeds, scored against the truth. For each recipe it reports ROC-AUC and macro-F1, the mean score
percentile of JClass >= 3 jellyfish and of each JClass, precision@10 of jellyfish queries (cosine on centred
representations) against the base rate, and the validation pair retrieval (top-5) that the paper's cross-validation
selects on, and what the representations encode (cross-validated R² of ridge regressions for the r magnitude, the
morphology and the tail's S/N). Every number is a mean over pretraining seeds with its spread. All recipes run in this one process, one
after the other, so the comparison is side by side.

    python bench/ssl_ablation.py [--data runs/demo/data] [--epochs 60] [--seeds 0 1] [--variants NAME ...] [--append]

Prints a table and writes bench/results/ssl_ablation.json.
"""
import argparse, json, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json
from jellyfish_nbdev.data import load_manifest, load_stacks, input_stacks, leave_one_cluster_out
from jellyfish_nbdev.simclr import PRESETS, pretrain, make_encoder
from jellyfish_nbdev.embed import load_encoder, represent
from jellyfish_nbdev.linear import held_out_predictions, score_metrics, score_profile, encoded_properties
from jellyfish_nbdev.pipeline import galaxy_properties
from jellyfish_nbdev.search import SimilarityIndex, precision_at_k

VARIANTS = {   # the view recipe, set in full on top of the `cpu` preset (whatever the preset's own views are); `epochs` overrides --epochs
    'bilinear views, Gaussian blur (the cpu preset until 2026-11-30)': dict(bin=1, blur_sigma=(0.1, 2.0), psf_fwhm=None, noise_factor=None, crop_scale=(0.08, 1.0)),
    'area-averaged views (bin 3)': dict(bin=3, blur_sigma=(0.1, 2.0), psf_fwhm=None, noise_factor=None, crop_scale=(0.08, 1.0)),
    'bin 3, seeing instead of blur': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.08, 1.0)),
    'bin 3, seeing, sky noise': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=(1.0, 1.5), crop_scale=(0.08, 1.0)),
    'bin 3, seeing, sky noise, crops >= 30%': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=(1.0, 1.5), crop_scale=(0.3, 1.0)),
    'bin 3, seeing, brightness x0.5-2': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.08, 1.0), brightness=(0.5, 2.0)),
    'bin 3, seeing; other sources masked': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.08, 1.0), inputs='masked'),
    'bin 3, seeing; asymmetry residual of the masked stacks': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.08, 1.0), inputs='asymmetry'),
    'residual, crops >= 30% (the cpu preset now)': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.3, 1.0), inputs='asymmetry'),
    'residual, crops >= 30%, 2x steps (120 epochs)': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.3, 1.0), inputs='asymmetry', epochs=120),
    'residual, crops >= 30%, 4x steps (240 epochs)': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=None, crop_scale=(0.3, 1.0), inputs='asymmetry', epochs=240),
    'residual, sky noise': dict(bin=3, blur_sigma=None, psf_fwhm=(1.4, 2.2), noise_factor=(1.0, 1.5), crop_scale=(0.08, 1.0), inputs='asymmetry'),
}
FLOORS = ('bands', 'asymmetry')   # random weights on these inputs: what the inputs give before any training


def score(feats, man) -> dict:
    "The yardstick on frozen representations: linear learner on visual labels, LOCO, 3 seeds, against the truth."
    y_vis = (man.visual_jclass > 0).astype(int).values
    y = (man.jclass > 0).astype(int).values
    preds = held_out_predictions(feats, None, y_vis, leave_one_cluster_out(man.cluster), seeds=(0, 1, 2), supervised=False)
    preds = preds[preds.method == 'ssl_linear']
    m = score_metrics(preds, {'truth': y})
    m = m[m.fold == 'overall']
    prof = score_profile(preds, man.jclass.values).groupby('group').percentile.mean()
    idx = SimilarityIndex(man.galaxy.values, feats - feats.mean(0), catalog=man[['galaxy', 'jclass']].reset_index(drop=True))
    pk = precision_at_k(idx, k=10)
    out = dict(roc_auc=m.roc_auc.mean(), macro_f1=m.macro_f1.mean(),
               pct_jclass_ge3=float(score_profile(preds, man.jclass.values >= 3).query('group').percentile.mean()),
               precision_at_10=float(pk.precision.iloc[0]), base_rate=float((man.jclass > 0).mean()))
    out.update({f'pct_J{int(j)}': float(v) for j, v in prof.items()})
    r2 = encoded_properties(feats, galaxy_properties(man)[['r magnitude', 'late type', 'log(1 + tail S/N)']]).set_index('property').r2
    out.update(r2_magnitude=r2['r magnitude'], r2_late_type=r2['late type'], r2_tail_snr=r2['log(1 + tail S/N)'])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='runs/demo/data'); ap.add_argument('--epochs', type=int, default=60)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1]); ap.add_argument('--variants', nargs='*', default=None)
    ap.add_argument('--out', default=None)
    ap.add_argument('--append', action='store_true', help="keep the output file's rows of the recipes not run now")
    a = ap.parse_args()
    man = load_manifest(a.data); x = load_stacks(man)
    out = Path(a.out) if a.out else Path(__file__).parent / 'results' / 'ssl_ablation.json'
    kept = json.loads(out.read_text())['rows'] if a.append and out.exists() else []
    rows, t0 = [], time.time()
    base = PRESETS['cpu']
    cfg0 = dict(center_crop=base.aug.center_crop, bin=base.aug.bin, size=base.aug.size)   # the trained encoders' views: a fair floor
    for inputs in FLOORS:
        for seed in a.seeds:
            torch.manual_seed(seed)
            enc = make_encoder(base.arch, 12, base.stem).eval()
            xi = input_stacks(x, inputs)
            c = dict(cfg0, inputs=inputs, mean=xi.mean((0, 2, 3)).tolist(), std=xi.std((0, 2, 3)).tolist())
            name = 'random init (floor)' if inputs == 'bands' else f'random init, {inputs} inputs'
            rows.append(dict(variant=name, seed=seed, **score(represent(enc, x, c).numpy(), man), pair_top5=np.nan, minutes=0.))
    import jellyfish_nbdev.simclr as S
    for name in (VARIANTS if a.variants is None else a.variants):   # --variants with no name: the floors only
        for seed in a.seeds:
            v = dict(VARIANTS[name]); inputs = v.pop('inputs', 'bands'); epochs = v.pop('epochs', a.epochs)
            S.PRESETS['cpu'] = replace(base, aug=replace(base.aug, **v), inputs=inputs, seed=seed)
            with tempfile.TemporaryDirectory() as tmp:
                t = time.time()
                pretrain(a.data, preset='cpu', epochs=epochs, out=tmp, progress=False)
                h = pd.read_csv(Path(tmp) / 'history.csv')
                enc, cfg = load_encoder(tmp)
                rows.append(dict(variant=name, seed=seed, **score(represent(enc, x, cfg).numpy(), man),
                                 pair_top5=float(h.pair_top5.iloc[-1]), epochs=epochs, minutes=(time.time() - t) / 60))
            print(pd.DataFrame(rows[-1:]).round(3).to_string(index=False), flush=True)
            save(rows, kept, out, a, len(man), t0, verbose=False)   # after every pretraining: a stopped run keeps what it measured
    S.PRESETS['cpu'] = base
    save(rows, kept, out, a, len(man), t0)


def save(rows: list, kept: list, out: Path, a, n: int, t0: float, verbose: bool = True):
    "Write the rows measured so far after `kept` (the earlier file's rows, with --append) of the recipes not run now, and their summary."
    done = {r['variant'] for r in rows}
    rows = [r for r in kept if r['variant'] not in done] + rows
    df = pd.DataFrame(rows)
    cols = [c for c in ['roc_auc', 'macro_f1', 'pct_jclass_ge3'] + [f'pct_J{j}' for j in range(6)]
            + ['precision_at_10', 'base_rate', 'r2_magnitude', 'r2_late_type', 'r2_tail_snr', 'pair_top5', 'minutes'] if c in df]
    summ = df.groupby('variant', sort=False)[cols].agg(['mean', 'std']).round(3)
    if verbose: print(summ.to_string())
    write_json('ssl_ablation', dict(benchmark='ssl_ablation', protocol='linear learner on visual labels, leave one cluster out, '
                                    '3 evaluation seeds, scored against the truth; means and std over pretraining seeds',
                                    data=a.data, epochs=a.epochs, n=n, seeds=a.seeds, rows=rows,
                                    summary={v: {f'{c}_{s}': float(summ.loc[v, (c, s)]) for c in cols for s in ('mean', 'std')} for v in summ.index},
                                    machine=machine(), seconds=time.time() - t0), out=out)


if __name__ == '__main__':
    main()
