"bench/_util.py: results are written atomically with the package's writer and hold no machine paths."
import json, re, sys
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


MACHINE_PATH = re.compile(r'(?<![\w.~])/(?:work|root|home|Users|private|var|usr|opt|srv|mnt)/')   # a path of this machine, anywhere in a text (a temporary folder's is not)


def test_machine_path_pattern():
    for s in ('/work/main/runs', 'demo (/root/.cache/x)', "'file:///opt/pypi/simple'", 'at /home/me/x.py:3'): assert MACHINE_PATH.search(s), s
    for s in ('runs/demo/embeddings', 'a / b', 'https://x.org/home/page', 'km/s/Mpc', 'wrote /tmp/tmpab12/run'): assert not MACHINE_PATH.search(s), s


def test_committed_results_hold_no_machine_paths():
    for f in sorted((ROOT / 'bench' / 'results').glob('*.json')):
        def walk(x):
            if isinstance(x, dict): [walk(v) for v in x.values()]
            elif isinstance(x, list): [walk(v) for v in x]
            elif isinstance(x, str):
                assert not (x.startswith('/') and '\n' not in x), f'{f.name}: machine path {x}'
                assert not MACHINE_PATH.search(x), f'{f.name}: machine path in {x!r}'
        walk(json.loads(f.read_text()))


def test_notebook_outputs_hold_no_machine_paths():
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            for o in c.get('outputs', []):
                texts = [o.get('text', '')] + [v for k, v in o.get('data', {}).items() if k.startswith('text/')]
                for t in texts:
                    t = ''.join(t) if isinstance(t, list) else t
                    m = MACHINE_PATH.search(t)
                    assert not m, f"{nb.name} cell {c.get('id')}: machine path in its stored output: {t[max(0, m.start() - 40):m.start() + 80]!r}"


def test_machine_names_the_software():
    m = _util.machine()
    assert {'cpu', 'cpus', 'torch', 'python', 'loadavg', 'date'} <= set(m)
    assert m['versions']['jellyfish_nbdev'] and m['versions']['torch'] == m['torch']
