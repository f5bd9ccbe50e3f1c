"The README's promises: the two commands first, CI runs the test command, the notebook table is complete."
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / 'README.md').read_text(encoding='utf-8')


def test_two_commands_on_the_first_screen():
    first = '\n'.join(README.splitlines()[:30])
    assert 'make demo' in first and 'make test' in first


def test_ci_calls_the_test_command():
    ci = (ROOT / '.ci' / 'run').read_text()
    assert re.search(r'^make test\s*$', ci, re.M)


def test_every_notebook_is_in_the_table():
    for nb in sorted((ROOT / 'nbs').glob('[0-9][0-9]_*.ipynb')):
        assert f'`{nb.stem}`' in README, f'{nb.name} missing from the README table'


def test_console_script():
    jf = Path(sys.executable).parent / 'jellyfish'
    r = subprocess.run([str(jf), '--version'], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith('jellyfish_nbdev ')
    r = subprocess.run([str(jf), 'nonsense'], capture_output=True, text=True)
    assert r.returncode == 2 and 'unknown command' in r.stderr
