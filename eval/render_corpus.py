"""Render the plain-text corpus as realistic PDF and DOCX files, to test format invariance.

Councils publish PDFs and Word files, not text. Ingesting a rendered copy of each corpus
document instead of its .txt, and comparing eval scores, shows whether ingestion and answers
depend on the file format. The renderings aim to look like real council papers: running
headers, "Page N of M" footers, real headings, bullet lists and tables, and (PDF) a stretch
of two-column pages, which is what makes real PDFs hard to extract.

The parser here is deliberately simple: it only needs to handle the conventions of
`corpus/*.txt` (short heading lines, `**bold**`, `- `/`• ` bullets, tab-separated tables,
stray blank lines). It is test tooling, not part of ingestion.

    python -m eval.render_corpus --format pdf|docx|both --out DIR [FILES...] [--with-manifest]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from corpus import CORPUS_DIR
from eval.render_docx import render_docx
from eval.render_pdf import pdf_safe, render_pdf
from eval.render_text import looks_like_heading
from ingest.manifest import MANIFEST_NAME, ManifestError, read_manifest

logger = logging.getLogger(__name__)
__all__ = ["looks_like_heading", "main", "pdf_safe", "render_docx", "render_files", "render_pdf", "write_manifest"]


def write_manifest(rendered: dict[Path, list[Path]], out_dir: Path) -> Path | None:
    """Copy the source manifest entries into out_dir, keyed by the rendered files' names."""
    documents: dict[str, Any] = {}
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    for txt, outputs in rendered.items():
        if txt.parent not in manifests:
            try:
                manifests[txt.parent] = read_manifest(txt.parent)
            except ManifestError as error:
                logger.warning("%s: %s", txt.parent, error)
                manifests[txt.parent] = {}
        entry = manifests[txt.parent].get(txt.name)
        if entry is None:
            logger.warning("%s is not in %s; its renderings get no manifest entry", txt.name, MANIFEST_NAME)
            continue
        for output in outputs:
            documents[output.name] = dict(entry)
    if not documents:
        return None
    path = out_dir / MANIFEST_NAME
    header = "# Copied from the source corpus manifest by eval.render_corpus, keys renamed to the rendered files.\n"
    path.write_text(header + yaml.safe_dump({"documents": documents}, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def render_files(files: Iterable[Path], out_dir: Path, formats: Sequence[str],
                 with_manifest: bool = False) -> dict[Path, list[Path]]:
    """Render every file to every format in out_dir; the manifest only when asked for."""
    renderers = {"pdf": render_pdf, "docx": render_docx}
    rendered: dict[Path, list[Path]] = {}
    for txt in files:
        rendered[txt] = [renderers[fmt](txt, out_dir / f"{txt.stem}.{fmt}") for fmt in formats]
    if with_manifest:
        manifest = write_manifest(rendered, out_dir)
        logger.info("manifest: %s", manifest or "none (no listed files)")
    return rendered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.render_corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("pdf", "docx", "both"), default="both")
    parser.add_argument("--out", type=Path, required=True, help="folder for the rendered files")
    parser.add_argument("--with-manifest", action="store_true",
                        help="copy manifest.yaml with keys renamed (without it: no manifest, as a new user's)")
    parser.add_argument("files", nargs="*", type=Path, help="plain-text documents (default: corpus/*.txt)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    files = args.files or sorted(CORPUS_DIR.glob("*.txt"))
    missing = [f for f in files if not f.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(map(str, missing))}")
    formats = ("pdf", "docx") if args.format == "both" else (args.format,)
    args.out.mkdir(parents=True, exist_ok=True)
    rendered = render_files(files, args.out, formats, with_manifest=args.with_manifest)
    print(f"rendered {len(rendered)} document(s) as {', '.join(formats)} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
