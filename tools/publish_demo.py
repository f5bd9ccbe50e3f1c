"""Copy the headline results of a finished `make demo` run into the docs and the README.

`nbs/images/demo_metrics.json` (the comparison, stage timings, versions; the package ships a copy), the label-efficiency and
query-by-example figures go to `nbs/images/`, and the table between the README's
`<!-- demo:start -->` / `<!-- demo:end -->` markers is rewritten. The index notebook and the linear
notebook read these files, so the docs show a real run's numbers, with its date and machine.

Usage: python tools/publish_demo.py [RUN_DIR]   (default runs/demo)
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = ('macro_precision', 'macro_recall', 'macro_f1', 'roc_auc')


def markdown(df) -> str:
    rows = ['| ' + ' | '.join(map(str, df.columns)) + ' |', '|' + '---|' * len(df.columns)]
    rows += ['| ' + ' | '.join(map(str, r)) + ' |' for r in df.itertuples(index=False)]
    return '\n'.join(rows)


def table(m: dict) -> str:
    "The headline table: every method, per protocol and label set, mean ± std over seeds, then the paper's real-data values."
    from jellyfish_nbdev.pipeline import evaluation_table
    t = evaluation_table(m)
    t.columns = ['protocol', 'scored against', 'method', 'macro precision', 'macro recall', 'macro F1', 'ROC-AUC']
    rows = markdown(t).splitlines()
    for method, v in m['paper_reference'].items():
        rows.append(f"| paper split (real S-PLUS) | visual | {method} (paper) | {v['macro_precision']:.2f} | {v['macro_recall']:.2f} | – | {v['roc_auc']:.2f} |")
    return '\n'.join(rows)


def verdict(m: dict) -> str:
    "The run's findings in words, every number read from metrics.json (the report's own verdict)."
    from jellyfish_nbdev.pipeline import verdict_text
    return "**This run's verdict** (read from its `metrics.json`). " + verdict_text(m)


def diagnostics(m: dict) -> str:
    "What the classifiers use: score percentile per true JClass, false alarms per kind, tail occlusion (means over seeds)."
    import pandas as pd
    out = []
    from jellyfish_nbdev.pipeline import profile_tables   # the report's tables, two decimals here
    pt = {k: t.set_index('method') for k, t in profile_tables(m).items()}
    if 'jclass_profile' in pt:
        out += ['Mean score percentile of each true JClass among its fold\'s test galaxies (0.5 = chance), all labels:', '',
                markdown(pt['jclass_profile'].map('{:.2f}'.format).reset_index()), '']
    if 'hard_negative_profile' in pt:
        out += ['Share of each kind of non-jellyfish called a jellyfish (false alarms), all labels:', '',
                markdown(pt['hard_negative_profile'].map('{:.2f}'.format).reset_index()), '']
    if 'occlusion' in pt:
        out += ['Change of the held-out jellyfish score when the true tail is replaced by sky noise or by the mirrored side (mean, ± std over seeds):', '',
                markdown(pt['occlusion'].reset_index()), '']
    if m.get('encoded_properties'):
        ep = pd.DataFrame(m['encoded_properties']).pivot(index='property', columns='features', values='r2')
        ep = ep.loc[[p for p in dict.fromkeys(r['property'] for r in m['encoded_properties'])]].map('{:.2f}'.format)
        out += ['What the representations encode: cross-validated R² of a ridge regression predicting each property from them '
                '(1 = all of its variance, 0 = none), the SimCLR encoder against the same network at random weights:', '',
                markdown(ep.reset_index()), '']
    if (m.get('gradcam') or {}).get('maps'):
        from jellyfish_nbdev.pipeline import localisation_table
        lt = localisation_table(m['gradcam']['maps'])
        keep = ['classifier', 'method', 'map', 'held_out'] + [c for c in ('J1', 'J2', 'J3', 'J4', 'J5', '3+', 'mirror 3+', 'tail>mirror 3+') if c in lt]
        lt = lt[keep].rename(columns={'3+': 'JClass ≥ 3', 'mirror 3+': 'mirror, JClass ≥ 3', 'tail>mirror 3+': 'tail side, JClass ≥ 3'})
        out += ['Where the classifiers look, on held-out jellyfish: median tail enrichment of each map (heat share on the true tail over '
                'the tail\'s share of the field; 1 = chance), the same for the tail rotated 180° (mirror), and the share of galaxies '
                'with more heat on the tail than on its mirror:', '', markdown(lt.map(lambda v: f'{v:.2f}' if isinstance(v, float) else v)), '']
    if m.get('label_efficiency'):
        ef = pd.DataFrame(m['label_efficiency'])
        ef['auc'] = [f"{a:.2f} ± {b:.2f}" for a, b in zip(ef.roc_auc, ef.roc_auc_std)]
        ef = ef.pivot(index='fraction', columns='method', values='auc').rename_axis(columns=None).reset_index()
        ef['fraction'] = [f"{f:.0%}" for f in ef.fraction]
        where = 'the paper split (test on Fornax)' if m.get('curve_fold', 'overall') != 'overall' else 'leave one cluster out'
        out += [f'Label efficiency: ROC-AUC against the truth on {where}, by the fraction of training labels (same optimiser steps at each):', '',
                markdown(ef.rename(columns={'fraction': 'labels used'})), '']
    return '\n'.join(out)


def main(run=ROOT / 'runs' / 'demo'):
    run = Path(run)
    m = json.loads((run / 'metrics.json').read_text())
    keep = {k: m[k] for k in ('ssl_linear', 'ssl_logistic', 'supervised', 'asymmetry', 'visual', 'stage_seconds', 'total_seconds',
                              'paper_reference', 'versions', 'pretrain', 'mock', 'label_efficiency', 'search', 'trails', 'evaluation',
                              'jclass_profile', 'hard_negative_profile', 'occlusion', 'seeds', 'train_label', 'n_detectable_jellyfish',
                              'asymmetry_baseline', 'steps', 'curve_fold', 'encoded_properties') if k in m}
    keep['gradcam'] = {k: v for k, v in m.get('gradcam', {}).items() if k != 'text'}
    keep['finished'] = json.loads((run / 'stages' / 'trails.json').read_text())['finished']
    img = ROOT / 'nbs' / 'images'
    img.mkdir(exist_ok=True)
    from jellyfish_nbdev.core import packaged
    from jellyfish_nbdev.io import save_text
    for f in (img / 'demo_metrics.json', packaged('nbs/images/demo_metrics.json')):   # the clone's copy and the package's
        save_text(f, json.dumps(keep, indent=1))
    from PIL import Image
    for src, dst in (('figures/label_efficiency.png', 'demo_label_efficiency.png'), ('figures/queries.png', 'demo_queries.png'),
                     ('pretrain/curves.png', 'demo_curves.png')):
        if (run / src).exists():   # 128-colour palette: a fraction of the size, no visible change for plots and composites
            Image.open(run / src).convert('RGB').quantize(colors=128).save(img / dst, optimize=True)
    readme = ROOT / 'README.md'
    text = readme.read_text()
    block = (f"<!-- demo:start -->\nMeasured by `make demo` ({keep['finished'][:10]}, {m['versions']['machine']}; "
             f"{m['total_seconds'] / 60:.1f} min in all) on the mock survey: classifiers trained on the simulated visual labels "
             f"(`{m.get('train_label', 'jclass')}`), scored against the truth and against the visual consensus; mean ± std over "
             f"{len(m.get('seeds', [0]))} seeds (label subsets and classifier fits), all labels:\n\n{table(m)}\n\n"
             f"{verdict(m)}\n\n{diagnostics(m)}\n![label efficiency](nbs/images/demo_label_efficiency.png)\n<!-- demo:end -->")
    text = re.sub(r'<!-- demo:start -->.*?<!-- demo:end -->', lambda _: block, text, flags=re.S)
    readme.write_text(text)
    print(f"published {run} -> {img} and README.md")


if __name__ == '__main__':
    main(*sys.argv[1:])
