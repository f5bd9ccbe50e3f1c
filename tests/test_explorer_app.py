"""The explorer as a live app: `jellyfish explore` on a small run, driven in headless Chromium by Playwright.

Picks a galaxy, waits for its neighbours, clicks a JClass button, checks labels.csv and its history on
disk, reloads the page and checks the label is shown; saves nbs/images/explorer_live.png for the docs.
Chromium is Debian's package (/usr/bin/chromium), installed with apt-get if missing (CI runs as root);
Playwright's own browser download is not used.
"""
import os, shutil, signal, socket, subprocess, sys, time
from pathlib import Path
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get('JELLYFISH_CHROMIUM', '/usr/bin/chromium')
SHOT = ROOT / 'nbs' / 'images' / 'explorer_live.png'
WAIT = 120_000                                     # ms: a cold kernel imports torch and faiss


def ensure_chromium() -> str:
    "Path of a Chromium binary; installs Debian's package when it is missing and we may (root)."
    if Path(CHROMIUM).exists(): return CHROMIUM
    if shutil.which('apt-get') and os.geteuid() == 0:
        t = time.time()
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run(['apt-get', 'update', '-q'], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(['apt-get', 'install', '-y', '-q', 'chromium'], check=True, env=env, stdout=subprocess.DEVNULL)
        print(f'installed chromium in {time.time() - t:.0f} s')
    if not Path(CHROMIUM).exists(): raise RuntimeError(f'{CHROMIUM} not found and it cannot be installed here: apt-get install chromium')
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    "`(url, run folder)` of `jellyfish explore` serving a 30-galaxy synthetic run; stopped afterwards."
    from jellyfish_nbdev.synth import synthetic_run
    run = synthetic_run(tmp_path_factory.mktemp('app') / 'run', n=30, size=48, seed=1)
    port = free_port()
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; from jellyfish_nbdev.cli import main; sys.exit(main())',
                             'explore', str(run), '--port', str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, start_new_session=True)
    lines, t0 = [], time.time()
    for line in proc.stdout:                               # the command prints the address once Voilà listens
        lines.append(line)
        if 'is at http://127.0.0.1:' in line: break
        if time.time() - t0 > 120: break
    url = next((l.split(' is at ')[1].split()[0] for l in lines if ' is at ' in l), None)
    assert url == f'http://127.0.0.1:{port}/', ''.join(lines[-20:])
    yield url, run
    os.killpg(proc.pid, signal.SIGTERM)
    try: proc.wait(20)
    except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL)


def test_explorer_in_a_browser(app):
    from playwright.sync_api import sync_playwright, expect
    url, run = app
    cat = pd.read_csv(run / 'embeddings' / 'catalog.csv', dtype={'galaxy': str})
    g = cat[cat.jclass >= 3].galaxy.iloc[0]                                  # a jellyfish: the picture shows its tail
    new = 5 if int(cat.set_index('galaxy').jclass[g]) < 5 else 4
    t0 = time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ensure_chromium(), args=['--no-sandbox'])
        page = browser.new_page(viewport={'width': 1240, 'height': 980})
        page.goto(url, timeout=WAIT)
        page.wait_for_selector('.jf-pick select', timeout=WAIT)
        page.select_option('.jf-pick select', g)                             # pick a galaxy
        expect(page.locator('.jf-query')).to_contain_text(g, timeout=WAIT)
        expect(page.locator('.jf-grid').get_by_text('sim ')).to_have_count(8, timeout=WAIT)   # its neighbours
        expect(page.locator('.jf-map canvas').first).to_be_visible(timeout=WAIT)
        expect(page.locator('.jf-selected')).to_contain_text('your label —', timeout=WAIT)
        page.click(f'.jf-label-{new}')                                       # a JClass button
        expect(page.locator('.jf-selected')).to_contain_text(f'your label {new}', timeout=WAIT)
        labels = pd.read_csv(run / 'labels.csv', dtype={'galaxy': str})
        assert labels.set_index('galaxy').jclass.to_dict() == {g: new}
        hist = pd.read_csv(run / 'labels.history.csv', dtype={'galaxy': str})
        assert hist[['galaxy', 'new_jclass']].values.tolist() == [[g, new]]
        page.wait_for_timeout(500)                                           # let the map's last frame arrive
        SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOT))
        page.reload(timeout=WAIT)                                            # a new kernel reads the labels back
        page.wait_for_selector('.jf-pick select', timeout=WAIT)
        page.select_option('.jf-pick select', g)
        expect(page.locator('.jf-selected')).to_contain_text(f'your label {new}', timeout=WAIT)
        expect(page.locator('.jf-query')).to_contain_text('you', timeout=WAIT)
        browser.close()
    from PIL import Image
    Image.open(SHOT).convert('RGB').quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(SHOT, optimize=True)   # small for the docs
    print(f'browser test: {time.time() - t0:.1f} s')
