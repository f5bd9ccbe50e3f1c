"""The explorer on a survey-sized catalogue: 100,000 synthetic representations, thumbnails made lazily.

Writes an embedding folder of `--n` synthetic 512-d representations
(`jellyfish_nbdev.synth.synthetic_representations`) with a catalogue (cluster, JClass) and a 2-D
map, and a data folder whose manifest lists every galaxy but whose stacks are only `--stacks`
files shared round-robin (the explorer reads a stack only for a thumbnail it shows). Then times:
opening the `Explorer` (index, catalogue, widgets, first query), queries of random galaxies (search,
filters, k thumbnails, map markers), the same queries again (thumbnails from the cache), a
*more like these* query, and one Agg render of the map with all points (what the browser is sent
when the map redraws). Prints a table and writes bench/results/explorer_scale.json.

    python bench/explorer_scale.py                 # 100,000 galaxies, k = 12
    python bench/explorer_scale.py --n 20000
"""
import argparse, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd
sys.path.insert(0, str(Path(__file__).parent))
from _util import machine, write_json, table


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=100_000, help='galaxies')
    p.add_argument('--k', type=int, default=12, help='neighbours shown')
    p.add_argument('--queries', type=int, default=20, help='timed queries')
    p.add_argument('--stacks', type=int, default=64, help='distinct stack files behind the manifest')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=None)
    a = p.parse_args(argv)
    import torch; torch.set_num_threads(a.threads)
    from jellyfish_nbdev.explorer import Explorer
    from jellyfish_nbdev.synth import synthetic_representations, synthetic_stack, CLUSTERS
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); emb, data = tmp / 'emb', tmp / 'data'
        (data / 'stacks').mkdir(parents=True); emb.mkdir()
        x, comp = synthetic_representations(a.n, d=512, seed=0, return_labels=True)
        ids = np.char.add('G', np.char.zfill(np.arange(a.n).astype(str), 6))
        jclass = np.where(comp % 5 == 0, comp % 6, 0)                     # some components are jellyfish
        np.save(emb / 'embeddings.npy', x); np.save(emb / 'embeddings_norm.npy', x)
        pd.DataFrame({'galaxy': ids}).to_csv(emb / 'galaxies.csv', index=False)
        pd.DataFrame({'galaxy': ids, 'cluster': rng.choice(CLUSTERS, a.n), 'jclass': jclass}).to_csv(emb / 'catalog.csv', index=False)
        for i in range(a.stacks):
            np.save(data / 'stacks' / f's{i}.npy', synthetic_stack(rng, 64, int(i % 6), float(rng.uniform(-3, 3)))[0])
        pd.DataFrame({'galaxy': ids, 'path': [f'stacks/s{i % a.stacks}.npy' for i in range(a.n)], 'status': 'ok'}).to_csv(data / 'manifest.csv', index=False)
        xy = rng.standard_normal((a.n, 2)).astype(np.float32) * 0.3 + np.tanh(x[:, :2] * 8)   # a stand-in map: only drawing is timed
        m = pd.DataFrame({'galaxy': ids, 'x': xy[:, 0], 'y': xy[:, 1]})

        t = time.perf_counter()
        ex = Explorer(emb, data, labels_csv=tmp / 'labels.csv', k=a.k, map_xy=m)
        open_s = time.perf_counter() - t
        qs = rng.choice(ids, a.queries, replace=False)
        def timed(fn, arg):
            t = time.perf_counter(); fn(arg); return time.perf_counter() - t
        cold = [timed(ex.select_query, q) for q in qs]
        warm = [timed(ex.select_query, q) for q in qs]
        more = timed(ex.more_like, list(qs[:5]))
        label = timed(ex.set_label, 3)
        t = time.perf_counter(); ex._map_fig.canvas.draw() if ex.map_canvas is None else ex._map_fig.savefig(tempfile.TemporaryFile(), format='png'); draw_s = time.perf_counter() - t
        rows = [dict(step='open explorer (index, catalogue, widgets, first query)', seconds=open_s),
                dict(step=f'query, thumbnails made (median of {a.queries})', seconds=float(np.median(cold)), max=float(np.max(cold))),
                dict(step=f'query, thumbnails cached (median of {a.queries})', seconds=float(np.median(warm)), max=float(np.max(warm))),
                dict(step='more like these (mean of 5)', seconds=more),
                dict(step='label a galaxy (fsyncs + map recolour)', seconds=label),
                dict(step=f'render the map ({a.n:,} points, Agg PNG)', seconds=draw_s)]
        print(f"\nexplorer on {a.n:,} synthetic 512-d representations, k = {a.k}, {a.threads} threads; "
              f"{len(ex._pngs)} thumbnails made (of {a.n:,} galaxies)")
        print(table(rows, ['step', 'seconds', 'max'], {'seconds': '{:.3f}', 'max': '{:.3f}'}))
        res = dict(benchmark='explorer_scale', n=a.n, d=512, k=a.k, queries=a.queries, thumbnails_made=len(ex._pngs),
                   rows=rows, target_query_s=1.0, query_under_target=bool(np.max(cold) < 1.0), machine=machine())
        print(f'wrote {write_json("explorer_scale", res, a.out)}')


if __name__ == '__main__':
    main()
