"Published results have one value everywhere: the package's copies (read in Colab and after `pip install`) are the repository's files."
import re
from pathlib import Path
from jellyfish_nbdev.core import packaged

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / 'jellyfish_nbdev' / 'data' / 'published'


def repository_results() -> list[str]:
    "The published result files, as paths from the repository root: the demo's metrics and every benchmark's JSON."
    return ['nbs/images/demo_metrics.json'] + sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / 'bench' / 'results').glob('*.json'))


def test_package_copies_are_the_repository_files():
    rels = repository_results()
    assert len(rels) >= 15
    missing = [r for r in rels if not packaged(r).exists()]
    assert not missing, f'not in the package (run the bench script or tools/publish_demo.py again): {missing}'
    stale = [r for r in rels if packaged(r).read_bytes() != (ROOT / r).read_bytes()]
    assert not stale, f'the package copy differs from the repository file: {stale}'
    orphans = sorted(p.relative_to(PUBLISHED).as_posix() for p in PUBLISHED.rglob('*') if p.is_file()
                     and p.relative_to(PUBLISHED).as_posix() not in rels)
    assert not orphans, f'package copies of files the repository no longer has: {orphans}'


def test_every_file_a_notebook_reads_is_shipped():
    literal = set()
    for nb in (ROOT / 'nbs').glob('*.ipynb'):
        literal |= set(re.findall(r"published\(\\?'([^'{}\\]+)\\?'", nb.read_text()))
    literal = {r for r in literal if (ROOT / r).exists()}   # leaves out the test of a file nobody published
    assert {'nbs/images/demo_metrics.json', 'bench/results/gradcam_overlap.json', 'bench/results/halpha_recovery.json'} <= literal, literal
    assert not [r for r in literal if not packaged(r).exists()], literal
