"""How well do trail vectors recover tail directions and the cluster-centric alignment? (mock survey truth)

Part A renders `--n-per-class` mock jellyfish of each JClass 1-5 (`mock.render_galaxy`, `--size` px),
subtracts the sky as `io` does and measures the trail vector (`trails.peak_and_centroid`) in the
bands r, J0660 and g, and in r once more with arcsinh(flux) as the light weights (what the stacks
store) instead of the flux. The error is the angle between the trail vector and the direction opposite to
the true tail (`tail_angle_deg + 180`: the tail pulls the centroid towards itself, so the vector from
centroid to peak points away from it).

Part B makes and ingests a mock survey of `--n-survey` galaxies with the mock's realistic class
shares and its cluster-centric tails (70 % away from the cluster centre, 30 deg scatter, 30 % random),
runs `trails.trail_table` on the stacks in r and J0660, and in r with arcsinh weights (the whole
user path: arcsinh stacks, WCS, position angles) and reports the error per JClass and the angle between the trail vectors and the
direction to the cluster centre, for the measured vectors, for the true ones and for JClass 0.

Prints the tables and writes bench/results/trails_accuracy.json.

    python bench/trails_accuracy.py                         # 40 per class, survey of 300, 128 px
    python bench/trails_accuracy.py --n-per-class 10 --n-survey 60
"""
import argparse, contextlib, io, json, platform, tempfile, time, warnings
from pathlib import Path
import pandas as pd


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n-per-class', type=int, default=40, help='rendered jellyfish per JClass (part A)')
    p.add_argument('--n-survey', type=int, default=300, help='galaxies in the mock survey (part B; 0 to skip)')
    p.add_argument('--size', type=int, default=128, help='cutout size (px)')
    p.add_argument('--seed', type=int, default=1, help='seed (the notebook uses 0)')
    p.add_argument('--bands', default='R,F660,G', help='bands of part A')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'trails_accuracy.json'))
    a = p.parse_args(argv)
    warnings.filterwarnings('ignore', category=RuntimeWarning)
    from jellyfish_nbdev.trails import (measure_mock_jellyfish, tail_recovery, trail_table, alignment_stats,
                                        angle_difference)
    from jellyfish_nbdev.mock import make_mock_survey
    from jellyfish_nbdev.io import ingest
    pd.set_option('display.width', 140)
    res = dict(args=vars(a), python=platform.python_version())

    t0 = time.perf_counter()
    bands = a.bands.split(',')
    sim = measure_mock_jellyfish(a.n_per_class, a.size, a.seed, bands=bands)
    res['rendered'] = {}
    for b in bands:
        r = tail_recovery(sim[sim.band == b])
        print(f"\nA. rendered jellyfish, band {b}: error = angle(trail vector, tail + 180 deg)\n{r.to_string()}")
        res['rendered'][b] = {str(k): v for k, v in r.to_dict('index').items()}
    if 'R' in bands:     # the same galaxies (same seed), weighted by arcsinh(flux) as the stacks store it
        st = measure_mock_jellyfish(a.n_per_class, a.size, a.seed, bands=['R'], stretch=True)
        r = tail_recovery(st)
        print(f"\nA. rendered jellyfish, band R, weighted by arcsinh(flux) instead of flux\n{r.to_string()}")
        res['rendered']['R_arcsinh_weighted'] = {str(k): v for k, v in r.to_dict('index').items()}
    res['rendered_seconds'] = round(time.perf_counter() - t0, 1)
    print(f"({res['rendered_seconds']} s)", flush=True)

    if a.n_survey:
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            tmp = Path(tmp)
            make_mock_survey(tmp / 'mock', n=a.n_survey, seed=a.seed, size=a.size)
            ingest(tmp / 'mock' / 'fits', tmp / 'data', catalog=tmp / 'mock' / 'catalog.csv', progress=False)
            tabs = {b: trail_table(tmp / 'data', b, progress=False) for b in ('R', 'F660')}
            tabs['R_arcsinh_weighted'] = trail_table(tmp / 'data', 'R', stretch=True, progress=False)
        res['survey'] = dict(seconds=round(time.perf_counter() - t1, 1))
        for b, t in tabs.items():
            r = tail_recovery(t)
            ok = t[t.ok]
            jelly, zero = ok[ok.jclass > 0], ok[ok.jclass == 0]
            true = angle_difference(jelly.tail_angle_deg + 180 - 90, jelly.cluster_pa_deg)   # north up, east left
            al = pd.DataFrame({'measured, JClass >= 1': alignment_stats(jelly.cluster_angle_deg),
                               'measured, JClass >= 3': alignment_stats(jelly.cluster_angle_deg[jelly.jclass >= 3]),
                               'true, JClass >= 1': alignment_stats(true),
                               'measured, JClass 0': alignment_stats(zero.cluster_angle_deg)}).T
            flags = t.flag[t.flag != ''].value_counts().to_dict()
            print(f"\nB. mock survey of {len(t)} galaxies ({int(t.ok.sum())} measured; flags {flags}), band {b}\n{r.to_string()}")
            print(f"angle between trail vector and direction to the cluster centre (0 = towards it):\n{al.round(3).to_string()}")
            res['survey'][b] = dict(n=len(t), n_ok=int(t.ok.sum()), flags=flags,
                                    recovery={str(k): v for k, v in r.to_dict('index').items()},
                                    alignment=al.to_dict('index'))
        print(f"({res['survey']['seconds']} s)")
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    tmpf = out.with_suffix('.json.tmp')
    tmpf.write_text(json.dumps(res, indent=1, default=float)); tmpf.replace(out)
    print(f"\nwrote {out}")


if __name__ == '__main__':
    main()
