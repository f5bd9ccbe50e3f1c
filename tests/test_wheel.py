"What `pip install jellyfish-nbdev` gives a user: the wheel holds every module and the data files the code reads at run time."
import json, os, subprocess, sys, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = 'jellyfish_nbdev'


def source_files() -> tuple[list[str], list[str]]:
    "The package's modules and its other files (package data), as paths inside the wheel."
    files = [p for p in (ROOT / PKG).rglob('*') if p.is_file() and '__pycache__' not in p.parts and p.suffix != '.pyc']
    rel = sorted(p.relative_to(ROOT).as_posix() for p in files)
    return [f for f in rel if f.endswith('.py')], [f for f in rel if not f.endswith('.py')]


def test_wheel_installs_every_module_and_its_data(tmp_path, wheel_install):
    wheel, target = wheel_install
    modules, data = source_files()
    assert data, 'the package ships data files (jellyfish_nbdev/data/...)'
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in modules + data if f not in names]
    assert not missing, f'not in the wheel: {missing}'
    assert any(n.endswith('entry_points.txt') for n in names)

    # a fresh interpreter in an empty folder, the installed copy first on the path (dependencies from this environment):
    # every module must import from it, and the shipped catalogues must be read from it
    mods = [f[:-3].replace('/', '.').removesuffix('.__init__') for f in modules]
    code = f"""
import importlib, json, sys
sys.path.insert(0, {str(target)!r})
out = {{m: importlib.import_module(m).__file__ for m in {mods!r}}}
from jellyfish_nbdev import catalogs
def strs(v):
    if isinstance(v, str): yield v
    elif isinstance(v, dict): yield from (s for k, x in v.items() for s in [*strs(k), *strs(x)])
    elif isinstance(v, (list, tuple)): yield from (s for x in v for s in strs(x))
files = sorted({{s for k, v in vars(catalogs).items() if k.endswith(('_FILE', '_FILES')) for s in strs(v) if s.endswith(('.csv', '.list'))}})
out['_catalog_dir'] = str(catalogs.catalog_dir())
out['_catalog_files'] = [str(catalogs.catalog_file(f)) for f in files]
out['_rows'] = {{k: int(v) for k, v in catalogs.loader_row_counts().items()}}
print(json.dumps(out))
"""
    work = tmp_path / 'elsewhere'
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME')}
    env['MPLBACKEND'] = 'Agg'
    r = subprocess.run([sys.executable, '-c', code], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    wrong = {m: f for m, f in out.items() if not m.startswith('_') and not f.startswith(str(target))}
    assert not wrong, f'imported from outside the installed wheel: {wrong}'
    assert len([m for m in out if not m.startswith('_')]) == len(mods) >= 15
    assert out['_catalog_dir'].startswith(str(target)), out['_catalog_dir']
    assert len(out['_catalog_files']) >= 5 and all(f.startswith(str(target)) for f in out['_catalog_files'])
    assert out['_rows'] and all(n > 0 for n in out['_rows'].values()), out['_rows']
