"""Benchmark: mock survey generation speed (galaxies/s at a small and the default cutout size) and the
difficulty of the default survey (the asymmetry-threshold baseline, trained on one cluster, tested on the others).

Usage: python bench/mock.py [--n 300] [--size 200] [--small-n 60] [--small-size 64] [--seed 0]
Prints a table and writes bench/results/mock.json.
"""
import argparse, json, os, platform, shutil, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd

from jellyfish_nbdev.mock import make_mock_survey, load_mock_galaxy, asymmetry_scores, gini, threshold_baseline, survey_summary


def generate(out, n, size, seed):
    "Wall and CPU seconds to write a mock survey."
    t, c = time.perf_counter(), time.process_time()
    cat = make_mock_survey(out, n=n, seed=seed, size=size)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    nbytes = sum(f.stat().st_size for f in Path(out).rglob('*') if f.is_file())
    return cat, dict(n=n, size=size, wall_s=round(wall, 2), cpu_s=round(cpu, 2), galaxies_per_s=round(n / wall, 2),
                     galaxies_per_cpu_s=round(n / cpu, 2), MB=round(nbytes / 2**20, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--n', type=int, default=300); p.add_argument('--size', type=int, default=200)
    p.add_argument('--small-n', type=int, default=60); p.add_argument('--small-size', type=int, default=64)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench_mock_'))
    res = dict(cpus=os.cpu_count(), load_avg_1min=round(os.getloadavg()[0], 2), python=platform.python_version(), seed=a.seed)
    try:
        _, res['small'] = generate(tmp / 'small', a.small_n, a.small_size, a.seed)
        cat, res['default'] = generate(tmp / 'default', a.n, a.size, a.seed)
        t = time.perf_counter()
        stacks = [load_mock_galaxy(tmp / 'default', g) for g in cat.galaxy]
        res['read_back_s'] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        cat['asymmetry'] = asymmetry_scores(stacks)
        res['asymmetry_s'] = round(time.perf_counter() - t, 2)
        cat['gini'] = [gini(s) for s in stacks]
        base = {}
        for score in ('asymmetry', 'gini'):
            for label in ('jclass', 'visual_jclass'):
                tab = threshold_baseline(cat[score], cat[label] > 0, cat.cluster)
                base[f'{score} vs {label}'] = {k: round(float(v), 3) for k, v in
                                               tab[['test_accuracy', 'test_balanced_accuracy', 'test_precision', 'test_recall', 'test_auc']].mean().items()}
        res['baseline'] = base
        res['jellyfish_fraction'] = round(float((cat.jclass > 0).mean()), 3)
        res['median_tail_snr_by_jclass'] = {int(k): float(v) for k, v in cat[cat.jclass > 0].groupby('jclass').tail_snr.median().items()}
        from sklearn.metrics import roc_auc_score
        votes = np.array([[int(v) > 0 for v in s.split(';')] for s in cat.visual_votes])
        res['visual_vs_truth'] = dict(consensus_auc=round(float(roc_auc_score(cat.jclass > 0, votes.mean(1))), 3),
                                      visibility_auc=round(float(roc_auc_score(cat.jclass > 0, cat.tail_visibility)), 3),
                                      consensus_recall=round(float((cat.visual_jclass[cat.jclass > 0] > 0).mean()), 3),
                                      consensus_false_alarms=round(float((cat.visual_jclass[cat.jclass == 0] > 0).mean()), 3),
                                      all_three_agree=round(float((votes.all(1) | (~votes).all(1)).mean()), 3))
        res['clusters'] = survey_summary(cat).reset_index().rename(columns={'index': 'cluster'}).to_dict('records')
        res['seen_as_jellyfish_by_jclass'] = {int(k): round(float(v), 2) for k, v in
                                              cat[cat.jclass > 0].groupby('jclass').visual_jclass.apply(lambda s: (s > 0).mean()).items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(pd.DataFrame([res['small'], res['default']], index=['small', 'default']).to_string())
    print(f"read back {a.n} galaxies: {res['read_back_s']} s; asymmetry: {res['asymmetry_s']} s")
    print(pd.DataFrame(res['baseline']).T.to_string())
    print('median tail S/N (J0660) by JClass:', res['median_tail_snr_by_jclass'])
    print('seen as jellyfish by the simulated classifiers:', res['seen_as_jellyfish_by_jclass'])
    print('simulated visual classifiers against the truth:', res['visual_vs_truth'])
    print(pd.DataFrame(res['clusters']).to_string(index=False))
    out = Path(__file__).parent / 'results' / 'mock.json'
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
