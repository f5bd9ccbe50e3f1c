"""Build the documentation site offline from the notebooks.

Quarto (what `nbdev-docs` and the GitHub deploy workflow use) cannot be installed everywhere, so this
script renders the same processed notebooks with nbconvert:

1. nbdev exports the notebooks (which writes the symbol index `_modidx.py`; a clean checkout is left as it
   is) and processes `nbs/` into `_proc/` exactly as for Quarto (`show_doc` sections for every exported
   symbol, hidden cells removed, front matter from each notebook's title and summary), all through
   nbdev's public functions;
2. each processed notebook becomes one HTML page (stored outputs and figures embedded), with Quarto's
   cell options honoured (`echo: false`, `output: false`, `include: false`);
3. a sidebar lists every page in the order of `nbs/sidebar.yml` (with a search box over all pages and a
   link to the repository), backticked names of the package's symbols link to their API sections, and
   links to the hosted site are made relative;
4. each page gets an "Open in Colab" link and a link to its notebook on GitHub (both from the
   `Repository` URL in `pyproject.toml`), an on-page table of contents and previous/next links;
5. math (`$...$`, `$$...$$`) is rendered to MathML at build time (latex2mathml), so pages need no
   network and no JavaScript to show it; progress-bar text is removed from stored outputs.

Usage: python tools/build_docs.py [--out _docs]
"""
from __future__ import annotations
import argparse, copy, html, json, os, re, shutil, tomllib
from pathlib import Path

import nbformat, yaml
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]

CSS = """
body { margin: 0; }
.jf-layout { display: flex; align-items: flex-start; }
.jf-sidebar { position: sticky; top: 0; height: 100vh; overflow-y: auto; width: 250px; min-width: 250px;
  padding: 1.2rem 1rem; box-sizing: border-box; background: #f6f8fa; border-right: 1px solid #ddd;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; }
.jf-sidebar .jf-brand { font-weight: 700; font-size: 17px; display: block; margin-bottom: .2rem; color: #1a1a1a; text-decoration: none; }
.jf-sidebar .jf-tag { color: #666; font-size: 12px; margin-bottom: 1rem; }
.jf-sidebar ul { list-style: none; padding: 0; margin: 0; }
.jf-sidebar li a { display: block; padding: .25rem .5rem; border-radius: 4px; color: #24292f; text-decoration: none; }
.jf-sidebar li a:hover { background: #e8ecf0; }
.jf-sidebar li a.active { background: #0b5cad; color: white; }
.jf-main { flex: 1; min-width: 0; max-width: 920px; padding: 0 1.5rem 3rem; }
.jf-main .jp-Notebook { padding: 0; }
.jf-title h1 { margin-bottom: .2rem; }
.jf-title p.jf-desc { color: #555; font-size: 1.05rem; margin-top: 0; }
.jf-title p.jf-desc code { font-size: .95rem; }
.jf-actions { margin: .3rem 0 .8rem; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 13px; }
.jf-actions a { display: inline-block; margin-right: .5rem; padding: .15rem .55rem; border-radius: 4px; text-decoration: none;
  border: 1px solid #d0d7de; color: #24292f; background: #f6f8fa; }
.jf-actions a.jf-colab { background: #f9ab00; border-color: #e8a000; color: #1a1a1a; font-weight: 600; }
.jf-footer { color: #777; font-size: 12px; margin-top: 2rem; border-top: 1px solid #ddd; padding-top: .5rem; }
.jf-pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.jf-pager a { text-decoration: none; color: #0b5cad; max-width: 48%; }
.jf-pager a.jf-next { margin-left: auto; text-align: right; }
.jf-pager small { display: block; color: #777; }
.jf-toc { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; width: 230px; min-width: 230px; box-sizing: border-box;
  padding: 1.5rem .8rem; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 13px; }
.jf-toc .jf-toc-title { font-weight: 600; margin-bottom: .4rem; color: #444; }
.jf-toc ul { list-style: none; margin: 0; padding: 0; border-left: 1px solid #ddd; }
.jf-toc li a { display: block; padding: .12rem .6rem; color: #555; text-decoration: none; }
.jf-toc li a:hover { color: #0b5cad; }
.jf-toc li.jf-l3 a { padding-left: 1.3rem; font-size: 12px; }
@media (max-width: 1250px) { .jf-toc { display: none; } }
.jf-search input { width: 100%; box-sizing: border-box; padding: .35rem .5rem; margin-bottom: .6rem; border: 1px solid #ccc; border-radius: 4px; font-size: 13px; }
.jf-results { margin: 0 0 .8rem; }
.jf-results a { display: block; padding: .3rem .4rem; border-bottom: 1px solid #e4e4e4; color: #24292f; text-decoration: none; font-size: 12.5px; }
.jf-results a:hover { background: #e8ecf0; }
.jf-results a b { color: #0b5cad; font-weight: 600; }
.jf-results span { display: block; color: #666; font-size: 11.5px; }
.jf-sidebar .jf-repo { display: block; margin-top: 1rem; font-size: 13px; color: #0b5cad; text-decoration: none; }
/* code blocks written in markdown (and show_doc signatures) look like code cells */
.jp-RenderedMarkdown pre, .jp-RenderedHTMLCommon .highlight pre { background: #f5f5f5; border: 1px solid #e0e0e0; border-radius: 4px;
  padding: .55rem .8rem; overflow-x: auto; font-size: 13px; line-height: 1.45; }
.jp-RenderedMarkdown pre code { background: none; padding: 0; font-size: inherit; }
.jp-RenderedMarkdown table { margin: .5rem 0 1rem; }
math[display="block"] { margin: .6rem 0; font-size: 1.1em; }
math { font-size: 1.08em; }
"""

_directive = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')


def frontmatter(nb) -> dict:
    "The YAML front matter nbdev writes into the first raw cell of a processed notebook."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}


def split_directives(src: str) -> tuple[dict, str]:
    "Quarto/nbdev `#|` cell options at the top of `src`, and the source without them."
    opts, lines = {}, src.splitlines()
    i = 0
    while i < len(lines) and (m := _directive.match(lines[i])):
        opts[m.group(1)] = m.group(2); i += 1
    return opts, '\n'.join(lines[i:])



_bar = re.compile(r'\|[█\-─ ]*\|\s*\d+(\.\d+)?%\s*\[')


def clean_stream(text: str) -> str:
    "What a terminal would show of `text`: each line as left by its last carriage return, progress bars dropped."
    out = []
    for line in text.split('\n'):
        parts = [p for p in line.split('\r') if p.strip()]
        last = parts[-1] if parts else ''
        if _bar.search(last) or set(last.strip()) <= {'█'} and last.strip(): continue
        if not last.strip() and line.strip(): continue      # a line that only held progress bars
        out.append(last.rstrip())
    return '\n'.join(out)


def repo_info(root: Path = ROOT) -> dict:
    "The repository URL, branch and notebook folder, read from `pyproject.toml` (the one place they are set)."
    cfg = tomllib.loads((root / 'pyproject.toml').read_text())
    url = cfg['project']['urls']['Repository'].rstrip('/')
    nbdev = cfg.get('tool', {}).get('nbdev', {})
    return {'url': url, 'slug': re.sub(r'^https?://github\.com/', '', url), 'branch': nbdev.get('branch', 'main'),
            'nbs': nbdev.get('nbs_path', 'nbs')}


def colab_url(info: dict, nb_name: str) -> str:
    return f"https://colab.research.google.com/github/{info['slug']}/blob/{info['branch']}/{info['nbs']}/{nb_name}"


def raw_prefix(info: dict) -> str:
    "Raw-file URL of the notebook folder: markdown images use it so that they show in Colab too."
    return f"https://raw.githubusercontent.com/{info['slug']}/{info['branch']}/{info['nbs']}/"


_math_block = re.compile(r'\$\$(.+?)\$\$', re.S)
_math_inline = re.compile(r'(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])')


def render_math(md: str) -> str:
    "Replace `$$...$$` and `$...$` in markdown (outside code) by MathML, rendered at build time."
    from latex2mathml.converter import convert
    def block(m): return '\n\n' + convert(m.group(1).strip(), display='block').replace('\n', '') + '\n\n'
    def inline(m): return convert(m.group(1).strip()).replace('\n', '')
    parts = re.split(r'(```.*?```|`[^`\n]*`)', md, flags=re.S)    # leave code blocks and code spans alone
    for i in range(0, len(parts), 2):
        parts[i] = _math_inline.sub(inline, _math_block.sub(block, parts[i]))
    return ''.join(parts)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', fragment))).strip()


def headings(body: str) -> list[tuple[int, str, str]]:
    "(level, id, text) of every h2/h3 of a rendered page, in order."
    out = []
    for m in re.finditer(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', body, re.S):
        t = _text(re.sub(r'<a class="anchor-link".*?</a>', '', m.group(3), flags=re.S))
        if t: out.append((int(m.group(1)), m.group(2), t))
    return out


def toc_html(hs: list[tuple[int, str, str]]) -> str:
    if len(hs) < 2: return ''
    items = ''.join(f'<li class="jf-l{lvl}"><a href="#{hid}">{html.escape(t)}</a></li>' for lvl, hid, t in hs)
    return f'<nav class="jf-toc" aria-label="On this page"><div class="jf-toc-title">On this page</div><ul>{items}</ul></nav>'


def search_entries(body: str, page: str, title: str, max_chars: int = 1500) -> list[dict]:
    "The page cut at its h2/h3 headings: one search entry per section (heading, anchor, plain text)."
    main = body.split('<main class="jf-main">', 1)[-1]
    main = re.sub(r'<(script|style)\b.*?</\1>', ' ', main, flags=re.S)
    main = re.sub(r'<img[^>]*>', ' ', main)
    cuts = list(re.finditer(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', main, re.S))
    entries, starts = [], [(0, '', title)] + [(m.end(), m.group(2), _text(re.sub(r'<a class="anchor-link".*?</a>', '', m.group(3), flags=re.S))) for m in cuts]
    ends = [m.start() for m in cuts] + [len(main)]
    for (start, hid, head), end in zip(starts, ends):
        text = _text(main[start:end])[:max_chars]
        if text or hid: entries.append({'p': page + (f'#{hid}' if hid else ''), 't': title, 'h': head if hid else title, 'x': text})
    return entries


SEARCH_JS = r"""
(function () {
  var box = document.getElementById('jf-q'), res = document.getElementById('jf-results');
  if (!box || !window.JF_SEARCH) return;
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  box.addEventListener('input', function () {
    var terms = box.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
    if (!terms.length) { res.innerHTML = ''; return; }
    var hits = [];
    window.JF_SEARCH.forEach(function (e) {
      var h = e.h.toLowerCase(), x = e.x.toLowerCase(), score = 0;
      for (var i = 0; i < terms.length; i++) {
        var inH = h.indexOf(terms[i]) >= 0, inX = x.indexOf(terms[i]) >= 0;
        if (!inH && !inX) return;
        score += (inH ? 10 : 0) + (inX ? 1 : 0);
      }
      var at = Math.max(0, x.indexOf(terms[0]) - 40);
      hits.push({e: e, s: score, snip: (at ? '…' : '') + e.x.substr(at, 110) + '…'});
    });
    hits.sort(function (a, b) { return b.s - a.s; });
    res.innerHTML = hits.length ? hits.slice(0, 15).map(function (r) {
      return '<a href="' + r.e.p + '"><b>' + esc(r.e.h) + '</b> <small>(' + esc(r.e.t) + ')</small><span>' + esc(r.snip) + '</span></a>';
    }).join('') : '<span style="color:#777;font-size:12px">no match</span>';
  });
})();
"""


def prepare(nb):
    "Apply Quarto's cell options and drop metadata nbconvert does not accept; return a clean notebook."
    nb = copy.deepcopy(nb)
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        c.metadata = {}
        if c.cell_type == 'code':
            opts, c.source = split_directives(c.source)
            if opts.get('include') == 'false' or 'hide' in opts: continue
            if opts.get('output') == 'false': c.outputs = []
            if opts.get('echo') == 'false': c.metadata = {'tags': ['hide-input']}
            for o in c.outputs:
                if o.get('output_type') == 'stream': o['text'] = clean_stream(o.get('text', ''))
                o.pop('execution_count', None) if o.get('output_type') != 'execute_result' else None
                if 'metadata' in o: o['metadata'] = {}
            c.outputs = [o for o in c.outputs if not (o.get('output_type') == 'stream' and not o['text'].strip())]
            if not c.source.strip() and not c.outputs: continue
        cells.append(c)
    nb.cells = cells
    nb.metadata = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                   'language_info': {'name': 'python'}}
    return nb


def symbol_links(modidx: dict) -> dict[str, str]:
    "Map short and qualified symbol names of the package to their doc page anchors."
    links = {}
    for mod, syms in modidx['syms'].items():
        for full, (url, _) in syms.items():
            short = full[len(mod) + 1:]
            if short.startswith('_') or '.' in short: continue   # top-level symbols only: methods have no section of their own
            links.setdefault(short, url)
            links[full] = url
    return links


def link_backticks(md: str, links: dict[str, str], page: str) -> str:
    "Turn `name` (outside code blocks and existing links) into a link to its API section."
    out, in_code = [], False
    for line in md.split('\n'):
        if line.lstrip().startswith('```'): in_code = not in_code
        if not in_code:
            def sub(m):
                name = m.group(1).rstrip('()')
                url = links.get(name)
                if not url: return m.group(0)
                if url.split('#')[0] == page: url = '#' + url.split('#', 1)[1]
                return f'[`{m.group(1)}`]({url})'
            line = re.sub(r'(?<!\[)`([A-Za-z_][\w.]*(?:\(\))?)`(?!\]\()', sub, line)
        out.append(line)
    return '\n'.join(out)


def sidebar_order(nbs: Path) -> list[str]:
    "Notebook file names in the order of `nbs/sidebar.yml` (index first)."
    y = yaml.safe_load((nbs / 'sidebar.yml').read_text())
    def walk(items):
        for it in items:
            if isinstance(it, str): yield it
            elif isinstance(it, dict):
                if 'href' in it: yield it['href']
                yield from walk(it.get('contents', []))
    names = list(walk(y['website']['sidebar']['contents']))
    return sorted(names, key=lambda n: (not n.startswith('index'), n))


def _inline_md(text: str) -> str:
    "Escape `text` for HTML, keeping `code` spans."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text))


def page_html(body: str, title: str, desc: str, nav: list[tuple[str, str]], current: str, site_title: str,
              nb_name: str | None = None, info: dict | None = None) -> str:
    "Wrap nbconvert's page: sidebar (pages, search, repository), title, Colab/GitHub links, contents, previous/next."
    info = info or repo_info()
    active = ' class="active"'
    items = '\n'.join(f'<li><a href="{href}"{active if href == current else ""}>{html.escape(t)}</a></li>'
                      for href, t in nav)
    side = (f'<nav class="jf-sidebar" aria-label="Pages"><a class="jf-brand" href="index.html">{html.escape(site_title)}</a>'
            f'<div class="jf-tag">jellyfish galaxies in S-PLUS with self-supervised learning</div>'
            f'<div class="jf-search"><input id="jf-q" type="search" placeholder="Search the docs" aria-label="Search the docs" autocomplete="off">'
            f'<div id="jf-results" class="jf-results"></div></div>'
            f'<ul>{items}</ul><a class="jf-repo" href="{info["url"]}">Repository on GitHub ↗</a></nav>')
    actions = ''
    if nb_name:
        gh = f"{info['url']}/blob/{info['branch']}/{info['nbs']}/{nb_name}"
        actions = (f'<div class="jf-actions"><a class="jf-colab" href="{colab_url(info, nb_name)}">Open in Colab</a>'
                   f'<a class="jf-gh" href="{gh}">Notebook on GitHub</a><a href="{info["url"]}">Repository</a></div>')
    head = (f'<div class="jf-title"><h1 id="page-title">{html.escape(title)}</h1>'
            + (f'<p class="jf-desc">{_inline_md(desc)}</p>' if desc else '') + actions + '</div>')
    hrefs = [h for h, _ in nav]
    k = hrefs.index(current) if current in hrefs else -1
    prev_, next_ = (nav[k - 1] if k > 0 else None), (nav[k + 1] if 0 <= k < len(nav) - 1 else None)
    pager = ('<nav class="jf-pager" aria-label="Previous and next page">'
             + (f'<a class="jf-prev" rel="prev" href="{prev_[0]}"><small>← Previous</small>{html.escape(prev_[1])}</a>' if prev_ else '')
             + (f'<a class="jf-next" rel="next" href="{next_[0]}"><small>Next →</small>{html.escape(next_[1])}</a>' if next_ else '')
             + '</nav>')
    toc = toc_html(headings(body))
    foot = '<div class="jf-footer">Built offline from the notebooks with nbdev + nbconvert (tools/build_docs.py).</div>'
    scripts = '<script src="search_index.js"></script><script src="search.js"></script>'
    body = re.sub(r'<body([^>]*)>', lambda m: f'<body{m.group(1)}><div class="jf-layout">{side}<main class="jf-main">{head}', body, count=1)
    body = body.replace('</body>', f'{pager}{foot}</main>{toc}</div>{scripts}</body>', 1)
    body = body.replace('</head>', f'<style>{CSS}</style></head>', 1)
    return re.sub(r'<title>.*?</title>', f'<title>{html.escape(title)} – {html.escape(site_title)}</title>', body, count=1, flags=re.S)


def drop_cdn_scripts(body: str) -> str:
    "Remove nbconvert's MathJax (math is MathML already) and, on pages without widgets, require.js: no CDN at view time."
    body = re.sub(r'<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->', '', body, flags=re.S)
    body = re.sub(r'<script[^>]*src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*"[^>]*>\s*</script>', '', body)
    if 'application/vnd.jupyter.widget' not in body:
        body = re.sub(r'<script[^>]*src="https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[^"]*"[^>]*>\s*</script>', '', body)
    return body


def add_lower_anchors(body: str) -> str:
    "Headings get nbconvert ids as written; nbdev links use lower case: add a lower-case anchor too."
    def sub(m):
        tag, hid, rest = m.group(1), m.group(2), m.group(3)
        low = hid.lower()
        extra = f'<a id="{low}"></a>' if low != hid else ''
        return f'{extra}<{tag} id="{hid}"{rest}'
    return re.sub(r'<(h[1-6]) id="([^"]+)"([^>]*>)', sub, body)


def process_notebooks(nbs: Path, proc: Path):
    "Run nbdev's processing of `nbs` into `proc` (show_doc cells, front matter), without Quarto, through nbdev's public API only."
    from nbdev.doclinks import nbdev_export
    from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
    from nbdev.serve import proc_nbs
    refresh_quarto_yml()
    # the symbol index `_modidx.py` that links the pages is written by nbdev_export with the modules it indexes; on a clean
    # checkout (which `make test` requires: nbdev-export leaves no diff) this rewrites nothing else.
    # nbdev's CLI functions called with arguments run as plain functions (fastcore's call_parse), not as command lines.
    nbdev_export(path=str(nbs))
    nbdev_sidebar(path=str(nbs))
    if proc.exists(): shutil.rmtree(proc)
    proc_nbs(path=str(nbs), n_workers=os.cpu_count() or 1)


def build(out: Path, root: Path = ROOT, reprocess: bool = True) -> list[Path]:
    "Build the site into `out`; return the pages written."
    import os
    os.chdir(root)
    nbs, proc = root / 'nbs', root / '_proc'
    if reprocess: process_notebooks(nbs, proc)
    ns: dict = {}
    exec((root / 'jellyfish_nbdev' / '_modidx.py').read_text(), ns)
    links = symbol_links(ns['d'])
    rel = {k: re.sub(r'^https?://[^/]+/jellyfish_nbdev/', '', v) for k, v in links.items()}
    order = sidebar_order(nbs)
    pages = []
    for name in order:
        nb = nbformat.read(proc / name, as_version=4)
        fm = frontmatter(nb)
        fname = fm.get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', Path(name).stem.lower()) + '.html'
        pages.append((name, nb, fm, fname))
    nav = [(fname, fm.get('title', fname)) for _, _, fm, fname in pages]
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    for f in proc.rglob('*'):  # images and other files next to the notebooks
        if f.is_file() and f.suffix not in ('.ipynb', '.yml', '.qmd') and not f.name.startswith('.'):
            (out / f.relative_to(proc)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, out / f.relative_to(proc))
    from traitlets.config import Config
    c = Config(); c.TagRemovePreprocessor.remove_input_tags = {'hide-input'}; c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    info = repo_info(root); raw = raw_prefix(info)
    written, index = [], []
    for name, nb, fm, fname in pages:
        nb = prepare(nb)
        for cell in nb.cells:
            if cell.cell_type == 'markdown':
                cell.source = render_math(link_backticks(cell.source.replace(raw, ''), rel, fname))
        body, _ = exporter.from_notebook_node(nb)
        body = re.sub(r'https?://jellyfish-nbdev\.github\.io/jellyfish_nbdev/([\w./-]*)', r'\1', body)
        body = drop_cdn_scripts(add_lower_anchors(body))
        body = page_html(body, fm.get('title', fname), fm.get('description', ''), nav, fname, 'jellyfish_nbdev',
                         nb_name=name, info=info)
        index += search_entries(body, fname, fm.get('title', fname))
        (out / fname).write_text(body, encoding='utf-8')
        written.append(out / fname)
    (out / 'search_index.js').write_text('window.JF_SEARCH = ' + json.dumps(index, ensure_ascii=False) + ';\n', encoding='utf-8')
    (out / 'search.js').write_text(SEARCH_JS, encoding='utf-8')
    return written


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT / '_docs'), help='output folder (default: _docs)')
    a = ap.parse_args()
    pages = build(Path(a.out).resolve())
    print(f"wrote {len(pages)} pages to {a.out}: " + ', '.join(p.name for p in pages))
