"""Build the documentation site offline from the notebooks.

Quarto (what `nbdev-docs` and the GitHub deploy workflow use) cannot be installed everywhere, so this
script renders the same processed notebooks with nbconvert:

1. nbdev processes `nbs/` into `_proc/` exactly as for Quarto (`show_doc` sections for every exported
   symbol, hidden cells removed, front matter from each notebook's title and summary);
2. each processed notebook becomes one HTML page (stored outputs and figures embedded), with Quarto's
   cell options honoured (`echo: false`, `output: false`, `include: false`);
3. a sidebar lists every page in the order of `nbs/sidebar.yml`, backticked names of the package's
   symbols link to their API sections, and links to the hosted site are made relative.

Usage: python tools/build_docs.py [--out _docs]
"""
from __future__ import annotations
import argparse, copy, html, json, os, re, shutil, sys
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
.jf-main { flex: 1; min-width: 0; max-width: 1000px; padding: 0 1.5rem 3rem; }
.jf-main .jp-Notebook { padding: 0; }
.jf-title h1 { margin-bottom: .2rem; }
.jf-title p.jf-desc { color: #555; font-size: 1.05rem; margin-top: 0; }
.jf-footer { color: #777; font-size: 12px; margin-top: 3rem; border-top: 1px solid #ddd; padding-top: .5rem; }
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
            if not c.source.strip() and not c.outputs: continue
            for o in c.outputs:
                o.pop('execution_count', None) if o.get('output_type') != 'execute_result' else None
                if 'metadata' in o: o['metadata'] = {}
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


def page_html(body: str, title: str, desc: str, nav: list[tuple[str, str]], current: str, site_title: str) -> str:
    active = ' class="active"'
    items = '\n'.join(f'<li><a href="{href}"{active if href == current else ""}>{html.escape(t)}</a></li>'
                      for href, t in nav)
    side = (f'<nav class="jf-sidebar" aria-label="Pages"><a class="jf-brand" href="index.html">{html.escape(site_title)}</a>'
            f'<div class="jf-tag">jellyfish galaxies in S-PLUS with self-supervised learning</div><ul>{items}</ul></nav>')
    head = (f'<div class="jf-title"><h1 id="page-title">{html.escape(title)}</h1>'
            + (f'<p class="jf-desc">{html.escape(desc)}</p>' if desc else '') + '</div>')
    foot = '<div class="jf-footer">Built offline from the notebooks with nbdev + nbconvert (tools/build_docs.py).</div>'
    body = re.sub(r'<body([^>]*)>', lambda m: f'<body{m.group(1)}><div class="jf-layout">{side}<main class="jf-main">{head}', body, count=1)
    body = body.replace('</body>', f'{foot}</main></div></body>', 1)
    body = body.replace('</head>', f'<style>{CSS}</style></head>', 1)
    return re.sub(r'<title>.*?</title>', f'<title>{html.escape(title)} – {html.escape(site_title)}</title>', body, count=1, flags=re.S)


def add_lower_anchors(body: str) -> str:
    "Headings get nbconvert ids as written; nbdev links use lower case: add a lower-case anchor too."
    def sub(m):
        tag, hid, rest = m.group(1), m.group(2), m.group(3)
        low = hid.lower()
        extra = f'<a id="{low}"></a>' if low != hid else ''
        return f'{extra}<{tag} id="{hid}"{rest}'
    return re.sub(r'<(h[1-6]) id="([^"]+)"([^>]*>)', sub, body)


def process_notebooks(nbs: Path, proc: Path):
    "Run nbdev's processing of `nbs` into `proc` (show_doc cells, front matter), without Quarto."
    import nbdev.doclinks, nbdev.quarto
    from nbdev.serve import proc_nbs
    nbdev.quarto.refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev.quarto.nbdev_sidebar.__wrapped__(path=nbs)
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
    written = []
    for name, nb, fm, fname in pages:
        nb = prepare(nb)
        for cell in nb.cells:
            if cell.cell_type == 'markdown': cell.source = link_backticks(cell.source, rel, fname)
        body, _ = exporter.from_notebook_node(nb)
        body = re.sub(r'https?://jellyfish-nbdev\.github\.io/jellyfish_nbdev/([\w./-]*)', r'\1', body)
        body = add_lower_anchors(body)
        body = page_html(body, fm.get('title', fname), fm.get('description', ''), nav, fname, 'jellyfish_nbdev')
        (out / fname).write_text(body, encoding='utf-8')
        written.append(out / fname)
    return written


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT / '_docs'), help='output folder (default: _docs)')
    a = ap.parse_args()
    pages = build(Path(a.out).resolve())
    print(f"wrote {len(pages)} pages to {a.out}: " + ', '.join(p.name for p in pages))
