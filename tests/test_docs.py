"The offline documentation site: it builds, every notebook has a page, API sections render, links resolve."
import re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse, unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import build_docs


class Links(HTMLParser):
    def __init__(self):
        super().__init__(); self.hrefs, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and a.get('href'): self.hrefs.append(a['href'])


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    pages = build_docs.build(out)
    return out, pages


def parse(p):
    h = Links(); h.feed(p.read_text(encoding='utf-8')); return h


def test_every_notebook_has_a_page(site):
    out, pages = site
    nbs = sorted((ROOT / 'nbs').glob('*.ipynb'))
    assert len(pages) == len(nbs) >= 3
    assert (out / 'index.html').exists()
    for nb in nbs:
        stem = 'index' if nb.stem == 'index' else re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem.lower())
        assert (out / f'{stem}.html').exists(), f'no page for {nb.name}'


def test_sidebar_lists_every_page(site):
    out, pages = site
    names = {p.name for p in pages}
    for p in pages:
        nav = re.search(r'<nav class="jf-sidebar".*?</nav>', p.read_text(encoding='utf-8'), re.S).group(0)
        assert {h for h in re.findall(r'href="([^"#]+)"', nav)} == names, p.name


def test_internal_links_resolve(site):
    out, pages = site
    parsed = {p.name: parse(p) for p in pages}
    bad = []
    for name, h in parsed.items():
        for href in h.hrefs:
            u = urlparse(href)
            if u.scheme or href.startswith('//') or href.startswith('mailto:'): continue
            target = name if not u.path else unquote(u.path)
            if not (out / target).exists(): bad.append(f'{name}: {href} (no such page)'); continue
            if u.fragment and target.endswith('.html') and u.fragment not in parsed.get(target, parse(out / target)).ids:
                bad.append(f'{name}: {href} (no such anchor)')
    assert not bad, '\n'.join(bad)


def test_api_sections_render(site):
    out, _ = site
    core = (out / 'core.html').read_text(encoding='utf-8')
    for sym in ('band_table', 'band_index', 'lupton_rgb', 'set_seed'):
        assert re.search(rf'<h3[^>]*>\s*{sym}', core), f'no show_doc section for {sym}'
    text = re.sub(r'<[^>]+>', '', core)
    assert 'def band_index(' in text, 'signatures must render'
    assert 'Seed `random`' not in core and 'Seed <code>random</code>' in core, 'docstrings must render as markdown'


def test_figures_are_embedded(site):
    out, _ = site
    assert 'data:image/png;base64' in (out / 'core.html').read_text(encoding='utf-8')
