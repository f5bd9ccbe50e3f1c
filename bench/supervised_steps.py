"""Does the supervised baseline need more optimiser steps than the demo gives it? Its held-out ROC-AUC against the truth
at several epoch counts (all labels, trained on the visual labels, leave one cluster out, three seeds), side by side.

    python bench/supervised_steps.py [--data runs/demo/data] [--epochs 10 15]

Prints a table and writes bench/results/supervised_steps.json.
"""
import argparse, sys, time
from pathlib import Path
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json
from jellyfish_nbdev.data import load_manifest, load_stacks, leave_one_cluster_out
from jellyfish_nbdev.linear import held_out_predictions, score_metrics


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', default='runs/demo/data'); ap.add_argument('--epochs', type=int, nargs='+', default=[10, 15])
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    a = ap.parse_args()
    man = load_manifest(a.data); x = load_stacks(man)
    y_vis, y = (man.visual_jclass > 0).astype(int).values, (man.jclass > 0).astype(int).values
    rows, t0 = [], time.time()
    for ep in a.epochs:
        t = time.time()
        p = held_out_predictions(None, x, y_vis, leave_one_cluster_out(man.cluster), seeds=tuple(a.seeds), sup_epochs=ep)
        m = score_metrics(p, {'truth': y, 'visual': y_vis})
        m = m[m.fold == 'overall']
        for lab, g in m.groupby('labels'):
            rows.append(dict(epochs=ep, steps=int(p.steps.iloc[0]), labels=lab, roc_auc=g.roc_auc.mean(), roc_auc_std=g.roc_auc.std(),
                             macro_f1=g.macro_f1.mean(), macro_f1_std=g.macro_f1.std(), minutes=(time.time() - t) / 60))
        print(pd.DataFrame(rows).round(3).to_string(index=False), flush=True)
    write_json('supervised_steps', dict(benchmark='supervised_steps', data=a.data, seeds=a.seeds, rows=rows, machine=machine(),
                                        seconds=time.time() - t0))


if __name__ == '__main__':
    main()
