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
        assert {h for h in re.findall(r'href="([^"#]+)"', nav) if not h.startswith('http')} == names, p.name


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
    for sym in ('band_table', 'band_index', 'lupton_rgb', 'default_device'):
        assert re.search(rf'<h3[^>]*>\s*{sym}', core), f'no show_doc section for {sym}'
    text = re.sub(r'<[^>]+>', '', core)
    assert 'def band_index(' in text, 'signatures must render'
    assert '`JELLYFISH_DEVICE`' not in core and '<code>JELLYFISH_DEVICE</code>' in core, 'docstrings must render as markdown'


def test_figures_are_embedded(site):
    out, _ = site
    assert 'data:image/png;base64' in (out / 'core.html').read_text(encoding='utf-8')


def text_of(p):
    "The text a reader sees: scripts and styles dropped, tags removed."
    page = re.sub(r'<(script|style)\b.*?</\1>', '', p.read_text(encoding='utf-8'), flags=re.S)
    return re.sub(r'<[^>]+>', '', page)


def test_math_renders_without_network(site):
    out, pages = site
    for name in ('gradcam.html', 'simclr.html'):
        page = (out / name).read_text(encoding='utf-8')
        assert page.count('<math') >= 3, f'{name}: math not rendered to MathML'
        assert not re.search(r'\$[^$\s][^$]*\\[a-z]+', text_of(out / name)), f'{name}: raw LaTeX left on the page'
    assert re.search(r'<math[^>]*display="block"', (out / 'simclr.html').read_text(encoding='utf-8')), 'the NT-Xent loss is display math'
    for p in pages:
        page = p.read_text(encoding='utf-8')
        assert 'mathjax' not in page.lower(), f'{p.name} still loads MathJax'
        external = re.findall(r'<script[^>]*\ssrc="(https?:[^"]+)"', page)
        if 'application/vnd.jupyter.widget' not in page: assert not external, f'{p.name} loads {external}'


def test_classes_show_as_classes(site):
    out, _ = site
    for page, cls in (('simclr.html', 'SimCLR'), ('simclr.html', 'EncoderHead'), ('pipeline.html', 'PipelineConfig'), ('core.html', 'Band')):
        t = text_of(out / page)
        assert re.search(rf'class\s+{cls}\(', t), f'{page}: no "class {cls}("'
        assert not re.search(rf'def\s+{cls}\(', t), f'{page}: {cls} shown as a function'


def test_parameter_tables_from_docments(site):
    out, _ = site
    page = (out / 'simclr.html').read_text(encoding='utf-8')
    sec = page[page.index('id="pretrain"'):]
    sec = sec[:sec.index('<hr')] if '<hr' in sec else sec
    table = re.search(r'<table.*?</table>', sec, re.S)
    assert table, 'pretrain has docments but no parameter table'
    for col in ('Type', 'Default', 'Details'): assert col in table.group(0)
    for arg in ('data_dir', 'preset', 'epochs', 'resume'): assert f'<td>{arg}</td>' in table.group(0), arg


def test_private_helpers_not_documented(site):
    import importlib, inspect, pkgutil
    import jellyfish_nbdev
    out, pages = site
    h3 = set()
    for p in pages: h3 |= {re.sub(r'<[^>]+>', '', m).strip() for m in re.findall(r'<h3[^>]*>(.*?)</h3>', p.read_text(encoding='utf-8'), re.S)}
    h3 = {h.replace('¶', '').strip() for h in h3}
    private = set()
    for m in pkgutil.iter_modules(jellyfish_nbdev.__path__):
        if m.name.startswith('_'): continue
        mod = importlib.import_module(f'jellyfish_nbdev.{m.name}')
        public = set(getattr(mod, '__all__', []))
        for name, obj in vars(mod).items():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, '__module__', '') == mod.__name__ and name not in public:
                private.add(name)
    assert {'run_config', '_pretrain_locked'} <= private, 'internal helpers must stay out of __all__'
    assert not (h3 & private), f'API sections for private helpers: {sorted(h3 & private)}'


def test_contents_pager_and_search(site):
    import json
    out, pages = site
    cat = (out / 'catalogs.html').read_text(encoding='utf-8')
    toc = re.search(r'<nav class="jf-toc".*?</nav>', cat, re.S)
    assert toc, 'long pages need an on-page table of contents'
    ids = parse(out / 'catalogs.html').ids
    anchors = re.findall(r'href="#([^"]+)"', toc.group(0))
    assert len(anchors) >= 5 and all(a in ids for a in anchors)
    names = [p.name for p in pages]
    for i, p in enumerate(pages):
        page = p.read_text(encoding='utf-8')
        prev = re.search(r'class="jf-prev"[^>]*href="([^"]+)"', page)
        nxt = re.search(r'class="jf-next"[^>]*href="([^"]+)"', page)
        assert (prev.group(1) if prev else None) == (names[i - 1] if i else None), p.name
        assert (nxt.group(1) if nxt else None) == (names[i + 1] if i + 1 < len(names) else None), p.name
        assert 'id="jf-q"' in page and 'search_index.js' in page and 'search.js' in page
    js = (out / 'search_index.js').read_text(encoding='utf-8')
    index = json.loads(js[js.index('=') + 1:].strip().rstrip(';'))
    assert {e['p'].split('#')[0] for e in index} == set(names), 'every page is searchable'
    hits = [e['p'] for e in index if 'nt-xent' in (e['h'] + ' ' + e['x']).lower()]
    assert any(h.startswith('simclr.html#') for h in hits), 'the NT-Xent section must be found'
    assert all(e['p'].split('#', 1)[1] in parse(out / e['p'].split('#')[0]).ids for e in index if '#' in e['p'])
    assert 'JF_SEARCH' in (out / 'search.js').read_text(encoding='utf-8')


def test_no_progress_bar_text(site):
    out, pages = site
    for p in pages:
        t = text_of(p)
        assert not re.search(r'\|[█\-]{10,}\|\s*\d+\.\d+%', t), f'{p.name}: progress-bar text'
        assert '█' not in t, p.name
    t = text_of(out / 'simclr.html')
    assert 'train_loss' in t and 'pair_top1' in t, "the epoch table itself is kept"


def test_home_page_has_no_test_plumbing(site):
    out, _ = site
    t = text_of(out / 'index.html')
    assert 'IN_TEST' not in t and 'os.environ' not in t


def test_colab_and_repository_links(site):
    import tomllib
    out, pages = site
    cfg = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    repo = cfg['project']['urls']['Repository'].rstrip('/')
    slug, branch = repo.removeprefix('https://github.com/'), cfg['tool']['nbdev']['branch']
    nbs = {('index' if nb.stem == 'index' else re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.stem.lower())) + '.html': nb for nb in (ROOT / 'nbs').glob('*.ipynb')}
    for p in pages:
        page = p.read_text(encoding='utf-8')
        colab = re.search(r'<a class="jf-colab" href="([^"]+)"', page).group(1)
        assert colab == f'https://colab.research.google.com/github/{slug}/blob/{branch}/nbs/{nbs[p.name].name}', p.name
        assert f'href="{repo}"' in page, f'{p.name}: no link to the repository'
    import nbformat
    for nb in nbs.values():
        cells = nbformat.read(nb, as_version=4).cells
        assert f'colab.research.google.com/github/{slug}/blob/{branch}/nbs/{nb.name}' in cells[0].source, f'{nb.name}: badge'
        install = [c.source for c in cells if c.cell_type == 'code' and '%pip install' in c.source]   # the install cells (not messages that name pip)
        assert install and all(f'git+{repo}.git' in s for s in install), f'{nb.name}: the install cell must install {repo}'


RAW = re.compile(r'https://raw\.githubusercontent\.com/([^/]+/[^/]+)/([^/]+)/nbs/([^)\s"]+)')


def test_markdown_images_work_on_the_site_and_in_colab(site):
    "Relative image paths do not resolve in Colab: markdown images use the repository's raw URL, mapped back to local files on the site."
    import nbformat, tomllib
    out, _ = site
    repo = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['urls']['Repository'].rstrip('/')
    for nb in (ROOT / 'nbs').glob('*.ipynb'):
        for c in nbformat.read(nb, as_version=4).cells:
            if c.cell_type != 'markdown': continue
            for src in re.findall(r'!\[[^\]]*\]\(([^)\s]+)', c.source):
                if src.startswith('https://colab.research.google.com/assets/'): continue
                m = RAW.match(src)
                assert m, f'{nb.name}: relative image {src} breaks in Colab'
                assert m.group(1) == repo.removeprefix('https://github.com/'), src
                assert (ROOT / 'nbs' / m.group(3)).exists(), f'{nb.name}: {src} is not in the repository'
    home = (out / 'index.html').read_text(encoding='utf-8')
    assert 'raw.githubusercontent.com' not in home and 'src="images/demo_queries.png"' in home
    assert (out / 'images' / 'demo_queries.png').exists()


def test_figure_captions_on_the_home_page(site):
    import json
    out, _ = site
    t = re.sub(r'\s+', ' ', text_of(out / 'index.html'))
    m = json.loads((ROOT / 'nbs' / 'images' / 'demo_metrics.json').read_text())
    pk = {r['k']: r for r in m['search']['precision_at_k']}[5]
    strong = pk['lift'] >= 1.3                                          # the caption's verdict follows the measured lift
    assert ('mix jellyfish with galaxies without stripping' in t) == strong and ('mostly galaxies without stripping (JClass 0)' in t) == (not strong)
    assert f"{pk['precision']:.2f} of the 5 nearest neighbours are jellyfish against {pk['base_rate']:.2f}" in t, 'caption numbers must come from metrics.json'
    assert 'Label efficiency on the paper split' in t


def test_markdown_code_blocks_are_styled(site):
    out, _ = site
    page = (out / 'index.html').read_text(encoding='utf-8')
    assert re.search(r'\.jp-RenderedMarkdown pre[^{]*\{[^}]*background', page), 'code blocks in markdown need a style'
    assert re.search(r'jp-RenderedMarkdown.*?<pre', page, re.S)


def test_published_results_come_from_the_configured_repository():
    import tomllib
    from jellyfish_nbdev.core import REPO_BRANCH, repository_url
    cfg = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    assert REPO_BRANCH == cfg['tool']['nbdev']['branch']
    assert repository_url() == cfg['project']['urls']['Repository'].rstrip('/')


def test_dataclass_parameter_tables(site):
    "A dataclass defined in a notebook still gets its parameter table (from the package's copy of it)."
    out, _ = site
    for page, field in (('core.html', 'suffix'), ('augment.html', 'jitter_p'), ('simclr.html', 'proj_dim'), ('simclr.html', 'n_features')):
        assert f'<td>{field}</td>' in (out / page).read_text(encoding='utf-8'), f'{page}: no parameter table row for {field}'
