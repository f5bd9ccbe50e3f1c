"""How well do the H-alpha+[NII] maps recover the mock's truth? (three-filter method, `jellyfish_nbdev.halpha`)

Makes a mock survey of `--n` galaxies at `--size` px with a seed used nowhere else (2027: the demo uses 0, the notebooks
0, 1 and 2026), maps every galaxy from its raw cutouts (`halpha.halpha_table` with the mock's truth) and reports the
issue's targets:

- total H-alpha+[NII] flux of the galaxies with line S/N >= 10: median recovered/true within 10 %, scatter <= 15 %
  (scatter: the plain standard deviation of the ratio; the robust astropy mad_std is reported beside it);
- tail fraction (true tail masks) for JClass >= 3: median absolute error <= 0.05;
- pixels without line emission (truth < 0.01 sigma) in the galaxies' apertures: mean consistent with zero within its
  error, for the early types (old, red: where a colour term would leak) and for all;
- pulls (recovered - true) / sigma over every aperture pixel: standard deviation within 0.8-1.2;
- pulls per galaxy (recovered - true) / error of the total flux (pixel noise, sky planes, colours, colour term): 0.8-1.2.

Then the same with the colour term fit to dust-free templates only (the calibration before the reddened ones were added),
without the colour term and without the PSF matching and, with
`--stacks`, from the ingested stacks (Background2D sky, box 25) instead of the raw cutouts.
Prints a table and writes bench/results/halpha_recovery.json, the default recipe's table (halpha_recovery_table.csv) and its
figure (halpha_recovery.png: recovered/true against S/N, and the galaxies' pulls); `--publish` also writes the README's block between
`<!-- halpha:start -->` and `<!-- halpha:end -->` from it (the README's figures are never typed by hand).

    python bench/halpha_recovery.py --stacks --publish   # 300 galaxies at 200 px, seed 2027 (~23 min on 2 busy cores)
    python bench/halpha_recovery.py --n 60 --no-variants
"""
import argparse, json, sys, tempfile, time, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table, RESULTS


def _dusty(cat, galaxies):
    "The late types whose discs are inclined to axis ratio < 0.4: the mock gives them dust lanes (see `mock._dust`)."
    import numpy as np
    c = cat.loc[list(galaxies)]
    cosi = np.cos(np.deg2rad(c.inclination_deg.values))
    return (c.morphology.values == 'late') & (np.sqrt(cosi ** 2 * (1 - 0.12 ** 2) + 0.12 ** 2) < 0.4)


def figure(t, cat, path, title):
    "Recovered/true total flux against line S/N (galaxies with S/N >= 10; dusty discs apart), and the histogram of the galaxies' pulls."
    import numpy as np, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    b = t[t.flag.fillna('').isin(['', 'no_detection']) & (t.snr_total >= 10) & (t.true_total > 0)]
    ratio, pull, dusty = b.flux_total / b.true_total, (b.flux_total - b.true_total) / b.err_total, _dusty(cat, b.galaxy)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=90)
    for m, lab, col in ((~dusty, 'other galaxies', 'tab:blue'), (dusty, 'dusty discs (axis ratio < 0.4)', 'tab:red')):
        a1.scatter(b.snr_total[m], ratio[m], s=10, c=col, label=lab, alpha=0.7)
    a1.axhline(1, c='k', lw=0.8); a1.axhspan(0.85, 1.15, color='0.9', zorder=-1)
    a1.set(xscale='log', xlabel='line S/N of the galaxy (its own error)', ylabel='recovered / true total flux', ylim=(0.4, 2.3),
           title=f"median {ratio.median():.3f}, std {ratio.std():.3f} (n = {len(b)})")
    a1.legend(fontsize=7, loc='upper right')
    a1.set_xticks([10, 20, 50, 100]); a1.set_xticklabels(['10', '20', '50', '100']); a1.minorticks_off()
    x = np.linspace(-6, 6, 200)
    a2.hist(pull.clip(-8, 8), bins=np.arange(-8, 8.01, 0.5), density=True, color='0.6')
    a2.plot(x, np.exp(-x * x / 2) / np.sqrt(2 * np.pi), 'k', lw=1, label='unit Gaussian')
    a2.set(xlabel='(recovered − true) / error, per galaxy (clipped at ±8)', title=f"galaxy pulls: mean {pull.mean():+.2f}, std {pull.std():.2f}")
    a2.legend(fontsize=7)
    fig.suptitle(title, fontsize=9); fig.tight_layout()
    fig.savefig(path); plt.close(fig)
    return path


def summary(name, rec, seconds):
    z = rec.get('zero_line_early') or {}
    return dict(variant=name, n_snr_ge10=rec['n_snr_ge10'], flux_ratio_median=rec['flux_ratio_median'],
                flux_ratio_scatter=rec['flux_ratio_scatter'], flux_ratio_mad_std=rec['flux_ratio_mad_std'],
                tail_fraction_mae_jclass_ge3=rec['tail_fraction_mae_jclass_ge3'], n_jclass_ge3=rec['n_jclass_ge3'],
                zero_early_z=z.get('z'), zero_all_z=rec['zero_line_all']['z'], pull_std=rec['pull_std'], galaxy_pull_std=rec['galaxy_pull_std'], galaxy_pull_mean=rec['galaxy_pull_mean'],
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
    from jellyfish_nbdev.halpha import halpha_table, halpha_recovery, mock_colour_term
    res = dict(args=vars(a), machine=machine())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        make_mock_survey(tmp / 'mock', n=a.n, seed=a.seed, size=a.size)
        res['mock_seconds'] = round(time.perf_counter() - t0, 1)
        print(f"mock survey: {a.n} galaxies at {a.size} px, seed {a.seed}, {res['mock_seconds']} s", flush=True)
        variants = {'default': {}}
        if not a.no_variants:
            variants.update({'colour term from dust-free templates': dict(colour=mock_colour_term(a_v=(0.,))),
                             'no colour term': dict(colour=None), 'no PSF matching': dict(psf_fwhm=None)})
        rows, recs = [], {}
        for name, kw in variants.items():
            t0 = time.perf_counter()
            t = halpha_table(tmp / 'mock' / 'fits', mock_dir=tmp / 'mock', maps=False, progress=False, **kw)
            recs[name] = halpha_recovery(t)
            rows.append(summary(name, recs[name], time.perf_counter() - t0))
            print(f"  {name}: {rows[-1]['seconds']} s", flush=True)
            if name == 'default':
                res['flags'] = recs[name]['n_flagged']
                import pandas as pd
                cat = pd.read_csv(tmp / 'mock' / 'catalog.csv').set_index('galaxy')
                b = t[t.flag.fillna('').isin(['', 'no_detection']) & (t.snr_total >= 10) & (t.true_total > 0)]
                ratio = b.flux_total / b.true_total
                far = (ratio - ratio.median()).abs() > 0.2
                dusty = _dusty(cat, b.galaxy)
                worst = (ratio - 1).abs().idxmax()
                res['outliers'] = dict(n_beyond_20pc=int(far.sum()), n_dusty_among_them=int((far.values & dusty).sum()),
                                       dusty_share_of_sample=float(dusty.mean()),
                                       median_ratio_dusty=float(ratio[dusty].median()), median_ratio_not_dusty=float(ratio[~dusty].median()),
                                       std_dusty=float(ratio[dusty].std()), std_not_dusty=float(ratio[~dusty].std()),
                                       worst=dict(galaxy=b.galaxy[worst], ratio=float(ratio[worst]), pull=float((b.flux_total[worst] - b.true_total[worst]) / b.err_total[worst])),
                                       std_without_worst=float(ratio.drop(worst).std()))
                t.to_csv(RESULTS / 'halpha_recovery_table.csv', index=False)
                res['figure'] = str(figure(t, cat, RESULTS / 'halpha_recovery.png', f"seed {a.seed}, {a.n} galaxies: the default recipe"))
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
    from jellyfish_nbdev.halpha import COLOUR_TERM
    res['colour_term_rms'] = float(COLOUR_TERM['rms'])
    cols = ['variant', 'n_snr_ge10', 'flux_ratio_median', 'flux_ratio_scatter', 'flux_ratio_mad_std', 'tail_fraction_mae_jclass_ge3',
            'zero_early_z', 'zero_all_z', 'pull_std', 'galaxy_pull_std', 'seconds']
    print(table(rows, cols, {c: '{:.3f}' for c in cols[2:-1]} | {'zero_early_z': '{:+.1f}', 'zero_all_z': '{:+.1f}', 'pull_std': '{:.2f}', 'galaxy_pull_std': '{:.2f}'}))
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
             f"scatter (plain standard deviation) {d['flux_ratio_scatter']:.3f} (robust mad_std {d['flux_ratio_mad_std']:.3f}), n = {d['n_snr_ge10']} | {ok('flux_ratio')} |",
             f"| tail fraction, JClass ≥ 3 (true tail masks): median absolute error ≤ 0.05 | {d['tail_fraction_mae_jclass_ge3']:.3f}, "
             f"n = {d['n_jclass_ge3']} (tails found in the map instead: {rc.get('tail_fraction_mae_jclass_ge3_segmented', float('nan')):.2f}) | {ok('tail_fraction')} |",
             f"| line-free pixels: mean consistent with 0 | early types (old, red) {z.get('mean', float('nan')):.2g} ± {z.get('error', float('nan')):.2g} "
             f"erg s⁻¹ cm⁻² per pixel ({d['zero_early_z']:+.1f}σ, {z.get('n_pixels', 0)} pixels of {z.get('n_galaxies', 0)} galaxies); all {d['zero_all_z']:+.1f}σ | {ok('zero_line_early')} |",
             f"| (recovered − true)/σ per pixel: spread 0.8–1.2 | std {d['pull_std']:.3f}, mean {d['pull_mean']:+.3f} | {ok('pull_spread')} |",
             f"| (recovered − true)/error per galaxy (total flux): spread 0.8–1.2 | std {d['galaxy_pull_std']:.2f}, mean {d['galaxy_pull_mean']:+.2f} | {ok('galaxy_pull_spread')} |", '',
             f"The galaxies' errors hold the pixels' noise, the sky planes' errors (shared by every pixel), the colours' noise (correlated over "
             f"the scale they were smoothed at) and the colour term's own error ({res['colour_term_rms']:.4f} in k, shared by a galaxy). "
             f"{o['n_beyond_20pc']} galaxies are off by more than 20 %; the worst, {o['worst']['galaxy']} (ratio {o['worst']['ratio']:.2f}, "
             f"{o['worst']['pull']:+.1f}σ) has a bright field source on its disc (on seed 2027: 32 px from the centre, two thirds of the disc's "
             f"r flux), whose spectrum the colour term (fit to galaxy templates) does not know: its continuum leaks into the line; "
             f"without it the standard deviation is {o['std_without_worst']:.3f}. Dusty, inclined discs (axis ratio < 0.4, "
             f"{o['dusty_share_of_sample']:.0%} of the sample): median ratio {o['median_ratio_dusty']:.3f}, std {o['std_dusty']:.3f}; "
             f"the others {o['median_ratio_not_dusty']:.3f}, std {o['std_not_dusty']:.3f} (`bench/results/halpha_recovery.png`).", '',
             'Without each ingredient (same survey): ' + '; '.join(
                 f"{r['variant']}: flux ratio {r['flux_ratio_median']:.2f} ± {r['flux_ratio_scatter']:.2f} (std), galaxy pulls {r['galaxy_pull_std']:.2f}, early-type line-free pixels "
                 f"{r['zero_early_z']:+.1f}σ, pulls {r['pull_std']:.2f}" for r in res['table'] if r['variant'] != 'default') + '.']
    text = readme.read_text(encoding='utf-8')
    block = '<!-- halpha:start -->\n' + '\n'.join(lines) + '\n<!-- halpha:end -->'
    if '<!-- halpha:start -->' not in text: raise SystemExit(f"{readme}: no <!-- halpha:start --> block")
    readme.write_text(re.sub(r'<!-- halpha:start -->.*?<!-- halpha:end -->', lambda m: block, text, flags=re.S), encoding='utf-8')
    print('published ->', readme)


if __name__ == '__main__':
    main()
