"""Render the ipywidgets explorer in a real browser and save a screenshot.

Builds `jellyfish_nbdev.explorer.Explorer` on the synthetic survey (`synthetic_explorer_data`),
selects a jellyfish query and re-labels one neighbour, then writes a self-contained HTML page with
the widget state embedded (`ipywidgets.embed.embed_data`) and the standalone widget renderer
`@jupyter-widgets/html-manager` (`dist/embed.js`) inlined as a data: URL, so the page needs no internet. Headless
Chromium (`/work/shared/tools/screenshot`, or `--screenshot CMD`) turns it into a PNG, which is then
quantised to a palette to keep it small.

embed.js comes from `--embed-js PATH`, else `$JUPYTER_WIDGETS_EMBED_JS`, else a cached copy, else it is
fetched once with `npm pack @jupyter-widgets/html-manager@1` into the cache.

    python tools/explorer_snapshot.py nbs/images/explorer.png [--html page.html]
"""
import argparse, json, os, shutil, subprocess, sys, tarfile, tempfile
from pathlib import Path

CACHE = Path(os.environ.get('XDG_CACHE_HOME', Path.home()/'.cache'))/'jellyfish_nbdev'/'html-manager'
HTML_MANAGER = '@jupyter-widgets/html-manager@1'     # the renderer for ipywidgets 8 (widget protocol 2)

def find_embed_js(path=None) -> Path:
    "Path of the html-manager's standalone `embed.js`, fetched with npm into the cache if needed."
    for p in (path, os.environ.get('JUPYTER_WIDGETS_EMBED_JS'), CACHE/'package'/'dist'/'embed.js'):
        if p and Path(p).is_file(): return Path(p)
    if not shutil.which('npm'): sys.exit("embed.js not found and npm is not installed: pass --embed-js PATH")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        subprocess.run(['npm', 'pack', HTML_MANAGER, '--silent'], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob('*.tgz'))
        with tarfile.open(tgz) as t: t.extractall(tmp, filter='data')
        if (CACHE/'package').exists(): shutil.rmtree(CACHE/'package')
        os.replace(Path(tmp)/'package', CACHE/'package')
    return CACHE/'package'/'dist'/'embed.js'

def _json_script(obj) -> str: return json.dumps(obj).replace('</', '<\\/')   # no '</script>' inside a <script>

def _js_data_url(path: Path) -> str:
    "The script as a data: URL: inlined, yet with a `src` (webpack's bundle derives its public path from it)."
    import base64
    return 'data:text/javascript;base64,' + base64.b64encode(path.read_bytes()).decode('ascii')

def explorer_html(widget, embed_js: Path, title: str = 'jellyfish_nbdev explorer') -> str:
    "A standalone HTML page showing `widget` from its embedded state, rendered by the inlined `embed_js`."
    from ipywidgets.embed import embed_data
    data = embed_data(views=[widget])
    views = ''.join(f'<script type="application/vnd.jupyter.widget-view+json">{_json_script(v)}</script>\n'
                    for v in data['view_specs'])
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 12px; background: white; }}</style>
<script src="{_js_data_url(embed_js)}"></script>
<script type="application/vnd.jupyter.widget-state+json">{_json_script(data['manager_state'])}</script>
</head><body>
{views}</body></html>
"""

def build_explorer(folder: Path):
    "The explorer on a synthetic survey, showing a jellyfish and its neighbours, one of them re-labelled."
    from jellyfish_nbdev.explorer import Explorer
    from jellyfish_nbdev.synth import synthetic_explorer_data
    emb, data = synthetic_explorer_data(folder, n=60, size=96, seed=1)
    ex = Explorer(emb, data, labels_csv=folder/'labels.csv', k=12, thumb=100, columns=6)
    cat = ex.catalog.set_index('galaxy')
    ex.select_query(cat.index[cat.jclass == 4][0])
    ex.w_bands.value = 'J0660, r, g (Hα)'
    card = ex.cards[3]
    card.select_button.click()
    ex.w_labels[(ex.jclass_of(card.galaxy) + 1) % 6].click()
    return ex

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('png', help='output screenshot (PNG)')
    ap.add_argument('--html', help='also keep the HTML page here')
    ap.add_argument('--embed-js', help='path of @jupyter-widgets/html-manager dist/embed.js')
    ap.add_argument('--screenshot', default='/work/shared/tools/screenshot', help='command: SCREENSHOT PAGE.html OUT.png SIZE')
    ap.add_argument('--size', default='1000x840', help='browser window WIDTHxHEIGHT')
    ap.add_argument('--colors', type=int, default=128, help='palette size of the saved PNG (0: keep RGB)')
    a = ap.parse_args()
    embed_js = find_embed_js(a.embed_js)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ex = build_explorer(tmp/'survey')
        page = Path(a.html) if a.html else tmp/'explorer.html'
        page.write_text(explorer_html(ex.widget, embed_js), encoding='utf-8')
        raw = tmp/'raw.png'
        subprocess.run([a.screenshot, str(page), str(raw), a.size], check=True)
        from PIL import Image
        img = Image.open(raw).convert('RGB')
        if a.colors: img = img.quantize(colors=a.colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = Path(a.png); out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} kB) from {page if a.html else 'a temporary page'} "
          f"(query {ex.query}, {len(ex.shown)} neighbours, embed.js {embed_js})")

if __name__ == '__main__': main()
