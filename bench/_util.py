"""Small helpers shared by the bench/ scripts (machine description, atomic JSON). Running it does nothing."""
import json, os, platform, time
from pathlib import Path

RESULTS = Path(__file__).parent / 'results'


def cpu_name() -> str:
    "The CPU's model name (from /proc/cpuinfo when there is one)."
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown'


def machine() -> dict:
    "What the numbers were measured on: CPU, cores, threads, load, versions, date."
    import torch
    return dict(cpu=cpu_name(), cpus=os.cpu_count(), torch_threads=torch.get_num_threads(), torch=torch.__version__,
                python=platform.python_version(), cuda=torch.cuda.is_available(),
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                loadavg=[round(v, 2) for v in os.getloadavg()], date=time.strftime('%Y-%m-%d %H:%M'))


def write_json(name: str, result: dict, out=None) -> Path:
    "Write `result` to bench/results/`name`.json (or `out`) atomically; return the path."
    out = Path(out) if out else RESULTS / f'{name}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f'.{out.name}.{os.getpid()}.tmp')
    tmp.write_text(json.dumps(result, indent=1, default=str))
    os.replace(tmp, out)
    return out


def table(rows: list, cols: list, fmt: dict | None = None) -> str:
    "A plain-text table of the dicts `rows` restricted to `cols` (with optional per-column format strings)."
    fmt = fmt or {}
    cells = [[(fmt.get(c, '{}').format(r[c]) if r.get(c) is not None else '-') for c in cols] for r in rows]
    w = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    line = lambda xs: '  '.join(x.rjust(w[i]) if i else x.ljust(w[i]) for i, x in enumerate(xs))
    return '\n'.join([line(cols), line(['-' * k for k in w]), *map(line, cells)])
