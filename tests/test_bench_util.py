"bench/_util.py: results are written atomically with the package's writer and hold no machine paths."
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'bench'))
import _util


def test_portable_paths():
    r = dict(run=str(ROOT / 'runs' / 'demo'), out=ROOT / 'bench' / 'results' / 'x.json', repo=str(ROOT), tmp='/tmp/gc/seed0.json',
             rel='runs/x', text='a / b', n=3, more=[str(ROOT / 'nbs'), {'p': str(ROOT / 'bench')}])
    assert _util.portable(r) == dict(run='runs/demo', out='bench/results/x.json', repo='.', tmp='seed0.json', rel='runs/x',
                                     text='a / b', n=3, more=['nbs', {'p': 'bench'}])


def test_write_json_has_no_absolute_paths(tmp_path):
    out = _util.write_json('t', dict(args=dict(out=str(tmp_path / 't.json'), data=str(ROOT / 'runs' / 'demo' / 'data'))), tmp_path / 't.json')
    assert json.loads(out.read_text()) == dict(args=dict(out='t.json', data='runs/demo/data'))
    assert [p.name for p in tmp_path.iterdir()] == ['t.json']                   # no temporary file left behind


def test_committed_results_hold_no_machine_paths():
    for f in sorted((ROOT / 'bench' / 'results').glob('*.json')):
        def walk(x):
            if isinstance(x, dict): [walk(v) for v in x.values()]
            elif isinstance(x, list): [walk(v) for v in x]
            elif isinstance(x, str): assert not (x.startswith('/') and '\n' not in x), f'{f.name}: machine path {x}'
        walk(json.loads(f.read_text()))


def test_machine_names_the_software():
    m = _util.machine()
    assert {'cpu', 'cpus', 'torch', 'python', 'loadavg', 'date'} <= set(m)
    assert m['versions']['jellyfish_nbdev'] and m['versions']['torch'] == m['torch']
