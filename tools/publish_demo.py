"""Copy the headline results of a finished `make demo` run into the docs and the README.

`nbs/images/demo_metrics.json` (the comparison, stage timings, versions), the label-efficiency and
query-by-example figures go to `nbs/images/`, and the table between the README's
`<!-- demo:start -->` / `<!-- demo:end -->` markers is rewritten. The index notebook and the linear
notebook read these files, so the docs show a real run's numbers, with its date and machine.

Usage: python tools/publish_demo.py [RUN_DIR]   (default runs/demo)
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = ('macro_precision', 'macro_recall', 'macro_f1', 'roc_auc')


def table(m: dict) -> str:
    rows = ['| method | held-out cluster | macro precision | macro recall | macro F1 | ROC-AUC |', '|---|---|---|---|---|---|']
    for method in ('ssl_linear', 'ssl_logistic', 'supervised'):
        for fold, v in m.get(method, {}).items():
            rows.append(f"| {method} | {fold} | " + ' | '.join(f"{v[k]:.2f}" for k in KEYS) + ' |')
    for method, v in m['paper_reference'].items():
        rows.append(f"| {method} (paper, real S-PLUS) | Fornax | {v['macro_precision']:.2f} | {v['macro_recall']:.2f} | – | {v['roc_auc']:.2f} |")
    return '\n'.join(rows)


def main(run=ROOT / 'runs' / 'demo'):
    run = Path(run)
    m = json.loads((run / 'metrics.json').read_text())
    keep = {k: m[k] for k in ('ssl_linear', 'ssl_logistic', 'supervised', 'stage_seconds', 'total_seconds', 'paper_reference',
                              'versions', 'pretrain', 'mock', 'label_efficiency', 'search', 'trails') if k in m}
    keep['gradcam'] = {k: v for k, v in m.get('gradcam', {}).items() if k != 'text'}
    keep['finished'] = json.loads((run / 'stages' / 'trails.json').read_text())['finished']
    img = ROOT / 'nbs' / 'images'
    img.mkdir(exist_ok=True)
    (img / 'demo_metrics.json').write_text(json.dumps(keep, indent=1))
    from PIL import Image
    for src, dst in (('figures/label_efficiency.png', 'demo_label_efficiency.png'), ('figures/queries.png', 'demo_queries.png'),
                     ('pretrain/curves.png', 'demo_curves.png')):
        if (run / src).exists():   # 128-colour palette: a fraction of the size, no visible change for plots and composites
            Image.open(run / src).convert('RGB').quantize(colors=128).save(img / dst, optimize=True)
    readme = ROOT / 'README.md'
    text = readme.read_text()
    block = (f"<!-- demo:start -->\nMeasured by `make demo` ({keep['finished'][:10]}, {m['versions']['machine']}; "
             f"{m['total_seconds'] / 60:.1f} min in all), leave-one-cluster-out on the mock survey:\n\n{table(m)}\n\n"
             f"![label efficiency](nbs/images/demo_label_efficiency.png)\n<!-- demo:end -->")
    text = re.sub(r'<!-- demo:start -->.*?<!-- demo:end -->', lambda _: block, text, flags=re.S)
    readme.write_text(text)
    print(f"published {run} -> {img} and README.md")


if __name__ == '__main__':
    main(*sys.argv[1:])
