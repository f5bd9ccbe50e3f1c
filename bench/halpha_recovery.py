"""How well do the H-alpha+[NII] maps recover the mock's truth? (three-filter method, `jellyfish_nbdev.halpha`)

Makes a mock survey of `--n` galaxies at `--size` px with a seed used nowhere else (2027: the demo uses 0, the notebooks
0, 1 and 2026), maps every galaxy from its raw cutouts (`halpha.halpha_table` with the mock's truth) and reports the
issue's targets:

- total H-alpha+[NII] flux of the galaxies with line S/N >= 10: median recovered/true within 10 %, scatter <= 15 %
  (scatter: 1.4826 x the median absolute deviation of the ratio; the plain standard deviation is reported too);
- tail fraction (true tail masks) for JClass >= 3: median absolute error <= 0.05;
- pixels without line emission (truth < 0.01 sigma) in the galaxies' apertures: mean consistent with zero within its
  error, for the early types (old, red: where a colour term would leak) and for all;
- pulls (recovered - true) / sigma over every aperture pixel: standard deviation within 0.8-1.2.

Then the same without each ingredient (the colour term, the PSF matching, the source's Poisson noise) and, with
`--stacks`, from the ingested stacks (Background2D sky, box 25) instead of the raw cutouts.
Prints a table and writes bench/results/halpha_recovery.json; `--publish` also writes the README's block between
`<!-- halpha:start -->` and `<!-- halpha:end -->` from it (the README's figures are never typed by hand).

    python bench/halpha_recovery.py --stacks --publish   # 300 galaxies at 200 px, seed 2027 (~6 min on 2 cores)
    python bench/halpha_recovery.py --n 60 --no-variants
"""
import argparse, json, sys, tempfile, time, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table


def summary(name, rec, seconds):
    z = rec.get('zero_line_early') or {}
    return dict(variant=name, n_snr_ge10=rec['n_snr_ge10'], flux_ratio_median=rec['flux_ratio_median'],
                flux_ratio_scatter=rec['flux_ratio_scatter'], flux_ratio_std=rec['flux_ratio_std'],
                tail_fraction_mae_jclass_ge3=rec['tail_fraction_mae_jclass_ge3'], n_jclass_ge3=rec['n_jclass_ge3'],
                zero_early_z=z.get('z'), zero_all_z=rec['zero_line_all']['z'], pull_std=rec['pull_std'], galaxy_pull_std=rec['galaxy_pull_std'],
                pull_mean=rec['pull_mean'], seconds=round(seconds, 1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=300, help='galaxies in the mock survey')
    p.add_argument('--size', type=int, default=200, help='cutout size (px)')
    p.add_argument('--seed', type=int, default=2027, help='mock seed (used nowhere else)')
    p.add_argument('--no-variants', action='store_true', help='the default recipe only')
    p.add_argument('--stacks', action='store_true', help='also from the ingested Background2D stacks')
    p.add_argument('--out', default=None)
    p.add_argument('--publish', action='store_true', help="write the results into the README's halpha block")
    a = p.parse_args(argv)
    warnings.filterwarnings('ignore', category=RuntimeWarning)
    from jellyfish_nbdev.mock import make_mock_survey
    from jellyfish_nbdev.halpha import halpha_table, halpha_recovery
    res = dict(args=vars(a), machine=machine())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        make_mock_survey(tmp / 'mock', n=a.n, seed=a.seed, size=a.size)
        res['mock_seconds'] = round(time.perf_counter() - t0, 1)
        print(f"mock survey: {a.n} galaxies at {a.size} px, seed {a.seed}, {res['mock_seconds']} s", flush=True)
        variants = {'default': {}}
        if not a.no_variants:
            variants.update({'no colour term': dict(colour=None), 'no PSF matching': dict(psf_fwhm=None),
                             'sky noise only (no gain)': dict(gain=None)})
        rows, recs = [], {}
        for name, kw in variants.items():
            t0 = time.perf_counter()
            t = halpha_table(tmp / 'mock' / 'fits', mock_dir=tmp / 'mock', maps=False, progress=False, **kw)
            recs[name] = halpha_recovery(t)
            rows.append(summary(name, recs[name], time.perf_counter() - t0))
            print(f"  {name}: {rows[-1]['seconds']} s", flush=True)
            if name == 'default':
                res['flags'] = recs[name]['n_flagged']
                import numpy as np, pandas as pd
                cat = pd.read_csv(tmp / 'mock' / 'catalog.csv').set_index('galaxy')
                b = t[t.flag.fillna('').isin(['', 'no_detection']) & (t.snr_total >= 10) & (t.true_total > 0)]
                ratio = b.flux_total / b.true_total
                far = (ratio - ratio.median()).abs() > 0.2
                cosi = np.cos(np.deg2rad(cat.loc[b.galaxy, 'inclination_deg'].values))
                dusty = (cat.loc[b.galaxy, 'morphology'].values == 'late') & (np.sqrt(cosi ** 2 * (1 - 0.12 ** 2) + 0.12 ** 2) < 0.4)   # the mock's dust lanes
                res['outliers'] = dict(n_beyond_20pc=int(far.sum()), n_dusty_among_them=int((far.values & dusty).sum()),
                                       dusty_share_of_sample=float(dusty.mean()),
                                       median_ratio_dusty=float(ratio[dusty].median()), median_ratio_not_dusty=float(ratio[~dusty].median()),
                                       std_not_dusty=float(ratio[~dusty].std()))
                res['per_jclass'] = {int(j): dict(n=int(len(d)), flux_ratio_median=float((d.flux_total / d.true_total).median()),
                                                  tail_fraction_median=float(d.tail_fraction.median()),
                                                  true_tail_fraction_median=float(d.true_tail_fraction.median()),
                                                  sfr_median=float(d.sfr.median()))
                                     for j, d in t[(t.flag == '') & (t.true_total > 0)].groupby('jclass')}
        if a.stacks:
            from jellyfish_nbdev.io import ingest
            ingest(str(tmp / 'mock' / 'fits'), str(tmp / 'data'), catalog=str(tmp / 'mock' / 'catalog.csv'), progress=False)
            t0 = time.perf_counter()
            t = halpha_table(tmp / 'data', mock_dir=tmp / 'mock', maps=False, progress=False)
            recs['stacks'] = halpha_recovery(t)
            rows.append(summary('from the stacks (Background2D sky, no PSF, sky noise)', recs['stacks'], time.perf_counter() - t0))
    res['table'] = rows
    res['recovery'] = recs
    res['targets'] = recs['default']['targets']
    cols = ['variant', 'n_snr_ge10', 'flux_ratio_median', 'flux_ratio_scatter', 'flux_ratio_std', 'tail_fraction_mae_jclass_ge3',
            'zero_early_z', 'zero_all_z', 'pull_std', 'galaxy_pull_std', 'seconds']
    print(table(rows, cols, {c: '{:.3f}' for c in cols[2:-1]} | {'zero_early_z': '{:+.1f}', 'zero_all_z': '{:+.1f}', 'pull_std': '{:.2f}', 'galaxy_pull_std': '{:.1f}'}))
    print('targets (default):', json.dumps(res['targets']))
    print('->', write_json('halpha_recovery', res, a.out))
    if a.publish: publish(res)


def publish(res):
    "Write the recovery figures into the README between the halpha markers."
    import re
    readme = Path(__file__).resolve().parents[1] / 'README.md'
    d = next(r for r in res['table'] if r['variant'] == 'default')
    rc = res['recovery']['default']; tg = res['targets']; a = res['args']
    ok = lambda k: 'met' if tg[k] else '**not met**'
    z = rc.get('zero_line_early') or {}
    o = res['outliers']
    lines = [f"Measured by `python bench/halpha_recovery.py --stacks --publish` ({res['machine']['date']}) on a mock survey of "
             f"{a['n']} galaxies at {a['size']} px, seed {a['seed']} (used nowhere else), against the mock's noiseless line truth:", '',
             '| target | measured | |', '|---|---|---|',
             f"| total Hα+[NII] flux, line S/N ≥ 10: median recovered/true within 10 %, scatter ≤ 15 % | median {d['flux_ratio_median']:.3f}, "
             f"scatter {d['flux_ratio_scatter']:.3f} (1.4826 MAD; std {d['flux_ratio_std']:.3f}), n = {d['n_snr_ge10']} | {ok('flux_ratio')} |",
             f"| tail fraction, JClass ≥ 3 (true tail masks): median absolute error ≤ 0.05 | {d['tail_fraction_mae_jclass_ge3']:.3f}, "
             f"n = {d['n_jclass_ge3']} (tails found in the map instead: {rc.get('tail_fraction_mae_jclass_ge3_segmented', float('nan')):.2f}) | {ok('tail_fraction')} |",
             f"| line-free pixels: mean consistent with 0 | early types (old, red) {z.get('mean', float('nan')):.2g} ± {z.get('error', float('nan')):.2g} "
             f"erg s⁻¹ cm⁻² per pixel ({d['zero_early_z']:+.1f}σ, {z.get('n_pixels', 0)} pixels of {z.get('n_galaxies', 0)} galaxies); all {d['zero_all_z']:+.1f}σ | {ok('zero_line_early')} |",
             f"| (recovered − true)/σ per pixel: spread 0.8–1.2 | std {d['pull_std']:.3f}, mean {d['pull_mean']:+.3f} | {ok('pull_spread')} |", '',
             f"The plain standard deviation of the flux ratio ({d['flux_ratio_std']:.2f}) is above 15 %: {o['n_beyond_20pc']} galaxies are off by more "
             f"than 20 %, {o['n_dusty_among_them']} of them dusty, inclined discs (axis ratio < 0.4; {o['dusty_share_of_sample']:.0%} of the sample), "
             f"where reddening makes the colour term take a young disc for an older one (median ratio {o['median_ratio_dusty']:.2f} against "
             f"{o['median_ratio_not_dusty']:.2f}; std without them {o['std_not_dusty']:.2f}). "
             f"Per galaxy, (recovered − true)/error has a spread of {d['galaxy_pull_std']:.1f}: the errors of region sums hold the noise "
             "only, not these continuum systematics.", '',
             'Without each ingredient (same survey): ' + '; '.join(
                 f"{r['variant']}: flux ratio {r['flux_ratio_median']:.2f} ± {r['flux_ratio_scatter']:.2f}, early-type line-free pixels "
                 f"{r['zero_early_z']:+.1f}σ, pulls {r['pull_std']:.2f}" for r in res['table'] if r['variant'] != 'default') + '.']
    text = readme.read_text(encoding='utf-8')
    block = '<!-- halpha:start -->\n' + '\n'.join(lines) + '\n<!-- halpha:end -->'
    if '<!-- halpha:start -->' not in text: raise SystemExit(f"{readme}: no <!-- halpha:start --> block")
    readme.write_text(re.sub(r'<!-- halpha:start -->.*?<!-- halpha:end -->', lambda m: block, text, flags=re.S), encoding='utf-8')
    print('published ->', readme)


if __name__ == '__main__':
    main()
