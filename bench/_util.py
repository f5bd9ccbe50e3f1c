"""Small helpers shared by the bench/ scripts (machine description, JSON results). Running it does nothing.

They reuse the package: `io.save_text` writes atomically, `pipeline.software_versions` names the software."""
import json, os, platform, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / 'results'


def cpu_name() -> str:
    "The CPU's model name (from /proc/cpuinfo when there is one)."
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown'


def machine() -> dict:
    "What the numbers were measured on: CPU, cores, threads, load, date, and the software versions (`pipeline.software_versions`)."
    import torch
    from jellyfish_nbdev.pipeline import software_versions
    v = software_versions()
    return dict(cpu=cpu_name(), cpus=os.cpu_count(), torch_threads=torch.get_num_threads(), torch=v['torch'],
                python=v['python'], cuda=torch.cuda.is_available(),
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                loadavg=[round(x, 2) for x in os.getloadavg()], date=time.strftime('%Y-%m-%d %H:%M'),
                versions={k: x for k, x in v.items() if k != 'machine'})


def portable(x, root: Path = ROOT):
    """`x` with every absolute path (a `Path`, or a string that is one) made relative to the repository `root`, in nested
    dicts and lists; a path outside the repository (a temporary file) keeps its name only."""
    if isinstance(x, dict): return {k: portable(v, root) for k, v in x.items()}
    if isinstance(x, (list, tuple)): return [portable(v, root) for v in x]
    if isinstance(x, Path) or (isinstance(x, str) and '\n' not in x and os.path.isabs(x)):
        p, root = Path(os.path.abspath(x)) if os.path.isabs(x) else Path(x), Path(os.path.abspath(root))
        if not p.is_absolute(): return p.as_posix()
        return p.relative_to(root).as_posix() if p == root or root in p.parents else p.name
    return x


def write_json(name: str, result: dict, out=None) -> Path:
    """Write `result` (paths made relative to the repository) to bench/results/`name`.json (or `out`) atomically; return the path.
    A result written to bench/results/ is also copied to the package's published results (`core.packaged`), which the
    docs pages read when there is no clone (Colab, `pip install`)."""
    from jellyfish_nbdev.io import save_text
    from jellyfish_nbdev.core import packaged
    out = Path(out) if out else RESULTS / f'{name}.json'
    text = json.dumps(portable(result), indent=1, default=str)
    if out.resolve().parent == RESULTS.resolve(): save_text(packaged(f'bench/results/{out.name}'), text)
    return save_text(out, text)


def table(rows: list, cols: list, fmt: dict | None = None) -> str:
    "A plain-text table of the dicts `rows` restricted to `cols` (with optional per-column format strings)."
    fmt = fmt or {}
    cells = [[(fmt.get(c, '{}').format(r[c]) if r.get(c) is not None else '-') for c in cols] for r in rows]
    w = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    line = lambda xs: '  '.join(x.rjust(w[i]) if i else x.ljust(w[i]) for i, x in enumerate(xs))
    return '\n'.join([line(cols), line(['-' * k for k in w]), *map(line, cells)])
