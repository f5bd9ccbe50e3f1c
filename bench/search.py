"""Query by example at survey scale: exact vs approximate (faiss) search over synthetic representations.

One million synthetic 512-d unit vectors (`jellyfish_nbdev.synth.synthetic_representations`: a
clustered, low-intrinsic-dimension mixture, not uniform noise, see nbs/08_search.ipynb) are indexed
by each engine; for each we report build and calibration time, memory, p50/p99 single-query
latency (a catalogue galaxy asked one at a time, itself excluded), batch throughput and recall@10
against exact search. The approximate engines are calibrated to recall@10 >= 0.95 on 256 other
queries. Prints a table and writes bench/results/search.json.

    python bench/search.py                    # 1M x 512, engines exact, ivf, hnsw
    python bench/search.py --n 100000 --engines exact,ivf
"""
import argparse, json, os, platform, resource, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=1_000_000, help='number of representations')
    p.add_argument('--d', type=int, default=512, help='dimension')
    p.add_argument('--engines', default='exact,ivf,hnsw', help='comma-separated engines')
    p.add_argument('--queries', type=int, default=1000, help='test queries (catalogue galaxies)')
    p.add_argument('--threads', type=int, default=2, help='faiss / torch threads (the machine is shared)')
    p.add_argument('--target', type=float, default=0.95, help='recall@10 the approximate engines are calibrated to')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'search.json'))
    a = p.parse_args(argv)

    import faiss, torch
    faiss.omp_set_num_threads(a.threads); torch.set_num_threads(a.threads)
    from jellyfish_nbdev.search import neighbour_difficulty, measure_engines
    from jellyfish_nbdev.synth import synthetic_representations

    load_before = os.getloadavg()                  # the machine may be shared: say how busy it was
    t = time.perf_counter()
    x = synthetic_representations(a.n, d=a.d, seed=0)
    gen_s = time.perf_counter() - t
    ids = np.char.add('SYN', np.char.zfill(np.arange(a.n).astype(str), 7))
    print(f"generated {a.n:,} x {a.d} synthetic representations in {gen_s:.1f} s ({x.nbytes / 2**30:.2f} GiB)", flush=True)
    diff = neighbour_difficulty(x, n_queries=100)
    print("difficulty: " + ', '.join(f'{k} {v:.3f}' for k, v in diff.items()), flush=True)

    engines = [e.strip() for e in a.engines.split(',') if e.strip()]
    rows = []
    for e in engines:                              # one at a time, so a long build shows progress
        print(f"measuring {e} ...", flush=True)
        rows.append(measure_engines(ids, x, engines=(e,), n_queries=a.queries, target_recall=a.target))
        print(rows[-1].drop(columns=['n', 'd']).to_string(index=False, float_format=lambda v: f'{v:.3f}'), flush=True)
    table = pd.concat(rows, ignore_index=True)

    show = table[['engine', 'params', 'build_s', 'calibrate_s', 'memory_mb', 'rss_increase_mb',
                  'p50_ms', 'p99_ms', 'batch_qps', 'recall@10']]
    print(f"\n{a.n:,} synthetic {a.d}-d representations, {a.threads} threads, {a.queries} test queries")
    print(show.to_string(index=False, float_format=lambda v: f'{v:.3f}'))

    result = dict(benchmark='search', date=time.strftime('%Y-%m-%d %H:%M:%S'), n=a.n, d=a.d, threads=a.threads,
                  queries=a.queries, target_recall=a.target, generator=dict(
                      function='jellyfish_nbdev.synth.synthetic_representations',
                      n_clusters=1000, latent_dim=64, spread=0.6, noise=0.02, seed=0), generate_s=gen_s,
                  difficulty=diff, machine=dict(platform=platform.platform(), cpus=os.cpu_count(),
                                                python=platform.python_version()),
                  versions=dict(faiss=faiss.__version__, torch=torch.__version__, numpy=np.__version__),
                  peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  load_average=dict(start=load_before, end=os.getloadavg()),
                  results=json.loads(table.to_json(orient='records')))
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f'.{out.name}.', suffix='.tmp')
    with os.fdopen(fd, 'w') as f: json.dump(result, f, indent=1)
    os.replace(tmp, out)
    print(f"\npeak memory {result['peak_rss_mb']:.0f} MB; 1-min load average {load_before[0]:.1f} at the start, "
          f"{result['load_average']['end'][0]:.1f} at the end ({os.cpu_count()} CPUs); wrote {out}")


if __name__ == '__main__':
    sys.exit(main())
