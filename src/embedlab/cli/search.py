"""``embedlab index ...`` and ``embedlab search``: command-line skins over :mod:`embedlab.search`.

``index_app`` (a typer app: build, add, delete, info, verify) is registered under ``index`` and
:func:`search` as the ``search`` command by :mod:`embedlab.cli.main`. Each command is a few
lines around one library call; user errors are :class:`EmbedlabError` (one line, exit 2).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from embedlab.cli.common import note_resumable
from embedlab.named_models import DEFAULT_MODEL

out = Console(soft_wrap=True)
err = Console(stderr=True)

index_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Build a search index of your documents, add to it, delete from it, describe it.",
)

DirArg = Annotated[str, typer.Argument(help="The index folder.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
FieldOpt = Annotated[str | None, typer.Option(help="The text column or field.")]
IdFieldOpt = Annotated[str | None, typer.Option(help="The id column or field.")]
BatchOpt = Annotated[int, typer.Option(min=1, help="Texts per encoding batch.")]


def _summary(report: Any, info: dict[str, Any]) -> str:
    parts = []
    if report.chunks:
        parts.append(f"added {report.added} documents ({report.chunks} chunks)")
    if report.replaced:
        parts.append(f"replaced {report.replaced}")
    if report.deleted:
        parts.append(f"deleted {report.deleted}")
    if report.missing:
        parts.append(f"not found: {', '.join(report.missing[:10])}")
    return (", ".join(parts) + f"; {info['path']} now holds {info['documents']} documents "
            f"({info['chunks']} chunks, {info['structure']}, {info['generation']}) "
            f"in {report.seconds:.1f} s")


@index_app.command("build")
def build(
    corpus: Annotated[str, typer.Argument(
        help="Documents: .txt .jsonl .json .csv .tsv .parquet (a BEIR corpus.jsonl too); for an "
        "image model, a folder, glob, list or table of image files.")],
    out_dir: Annotated[str, typer.Option("--out", "-o", help="The index folder to create.")],
    model: Annotated[str, typer.Option("--model", "-m", help="Registry name, local path or "
                                       "hub id.")] = DEFAULT_MODEL,
    field: FieldOpt = None,
    id_field: IdFieldOpt = None,
    chunk_tokens: Annotated[int | None, typer.Option(
        min=0, help="Chunk size in model tokens (words for models without a tokenizer); "
        "0 keeps documents whole. Default: the model window.")] = None,
    overlap: Annotated[int | None, typer.Option(
        min=0, help="Tokens shared by neighbouring chunks. Default: an eighth of a chunk.")
    ] = None,
    backend: Annotated[str, typer.Option(help="faiss (embedded) or qdrant.")] = "faiss",
    index: Annotated[str, typer.Option(
        "--index", help="auto (exact below 10,000 chunks, then HNSW), exact, hnsw, int8, "
        "binary.")] = "auto",
    url: Annotated[str | None, typer.Option(
        help="Qdrant server URL (qdrant backend; default: local mode in the index folder).")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing index.")
                         ] = False,
    batch_size: BatchOpt = 32,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Index a file of documents: chunk, encode, and store vectors, texts and metadata."""
    from embedlab.search.index import Index

    note_resumable()
    built = Index.build(out_dir, corpus, model, field=field, id_field=id_field,
                        backend=backend, kind=index, chunk_tokens=chunk_tokens,
                        overlap=overlap, url=url, batch_size=batch_size, progress=not quiet,
                        overwrite=overwrite)
    with built:
        report, info = built.last_report, built.info()
    assert report is not None
    if as_json:
        print(json.dumps({**report.as_dict(), "index": info}))
    else:
        err.print(_summary(report, info))


@index_app.command("add")
def add(
    directory: DirArg,
    file: Annotated[str, typer.Argument(help="Documents to add (same formats as build).")],
    field: FieldOpt = None,
    id_field: IdFieldOpt = None,
    batch_size: BatchOpt = 32,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Add documents to an index (a document with an id already there replaces it)."""
    from embedlab.search.index import Index

    note_resumable()
    with Index.open(directory) as index:
        report = index.add(file, field=field, id_field=id_field, batch_size=batch_size,
                           progress=not quiet)
        info = index.info()
    if as_json:
        print(json.dumps({**report.as_dict(), "index": info}))
    else:
        err.print(_summary(report, info))


@index_app.command("delete")
def delete(
    directory: DirArg,
    ids: Annotated[list[str], typer.Argument(help="Ids of the documents to delete.")],
    as_json: JsonOpt = False,
) -> None:
    """Delete documents from an index by id."""
    from embedlab.search.index import Index

    with Index.open(directory) as index:
        report = index.delete(ids)
        info = index.info()
    if as_json:
        print(json.dumps({**report.as_dict(), "index": info}))
    else:
        err.print(_summary(report, info))


@index_app.command("info")
def info(directory: DirArg, as_json: JsonOpt = False) -> None:
    """Describe an index: model, documents, chunks, store, fields, size."""
    from embedlab.search.index import Index

    with Index.open(directory) as index:  # opening reads every file: damage is named here
        details = index.info()
    if as_json:
        print(json.dumps(details))
        return
    table = Table("property", "value", show_header=False)
    for key, value in details.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else (
            ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict)
            else str(value))
        table.add_row(key, shown)
    out.print(table)


@index_app.command("verify")
def verify(directory: DirArg, as_json: JsonOpt = False) -> None:
    """Read every file of an index and say which are damaged (exit 1 if any is)."""
    from embedlab.search.verify import verify_index

    result = verify_index(directory)
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        for check in result.checks:
            status = "ok     " if check.ok else "DAMAGED"
            out.print(f"{status} {check.name}" + ("" if check.ok else f": {check.problem}"),
                      markup=False, highlight=False)
        damaged = result.damaged
        where = f"{result.path} ({result.generation or 'no generation'})"
        print(f"{where}: {len(damaged)} of {len(result.checks)} files damaged; rebuild the "
              "index from its documents (`embedlab index build ... --overwrite`)"
              if damaged else f"{where}: all {len(result.checks)} files are sound",
              file=sys.stderr)
    if result.damaged:
        raise typer.Exit(1)


def search(
    directory: DirArg,
    query: Annotated[str | None, typer.Argument(help="What to search for.")] = None,
    image: Annotated[str | None, typer.Option(
        "--image", help="Search an image index with this image file.")] = None,
    k: Annotated[int, typer.Option("-k", "--top-k", help="Number of hits.")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid (dense + BM25), dense or bm25.")] = "hybrid",
    filters: Annotated[list[str] | None, typer.Option(
        "--filter", "-f", help="field=value (repeat: fields AND, values of a field OR).")
    ] = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Query model; must be the index's (the default).")] = None,
    fusion: Annotated[str, typer.Option(help="Hybrid fusion: rrf or weighted.")] = "rrf",
    alpha: Annotated[float, typer.Option(help="Weight of dense scores in weighted fusion.")
                     ] = 0.5,
    exact: Annotated[bool, typer.Option("--exact", help="Brute-force dense search.")] = False,
    chunks: Annotated[bool, typer.Option("--chunks", help="Return chunks, not documents.")
                      ] = False,
    correct: Annotated[bool, typer.Option(
        "--correct", help="Correct misspelt words from the index's own vocabulary.")] = False,
    expand: Annotated[str | None, typer.Option(
        help="Query expansion: neighbours (similar words, BM25 side) or prf "
             "(pseudo-relevance feedback: RM3 on BM25, Rocchio on dense).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search an index: the best documents (or chunks) for a query (or, with --image, the
    images nearest an image)."""
    from embedlab.errors import EmbedlabError
    from embedlab.search.index import Index

    if (query is None) == (image is None):
        raise EmbedlabError("give a query, or an image with --image (not both)")
    query = query if image is None else image
    assert query is not None

    with Index.open(directory, model=model) as index:
        hits, seen = index.search_explained(query, k, mode=mode, filters=filters,
                                            fusion=fusion, alpha=alpha, exact=exact,
                                            per_document=not chunks, correct=correct,
                                            expand=expand)
    if as_json:
        print(json.dumps({**seen.as_dict(), "mode": mode, "k": k,
                          "hits": [h.as_dict() for h in hits]}, ensure_ascii=False))
        return
    if seen.corrections:
        err.print(f"searched for: {seen.corrected}", markup=False, highlight=False)
    if seen.expanded:
        err.print(f"expanded with: {', '.join(seen.expanded)}", markup=False, highlight=False)
    if not hits:
        err.print("no hits")
    for h in hits:
        snippet = " ".join(h.text.split())
        snippet = snippet[:110] + ("..." if len(snippet) > 110 else "")
        out.print(f"{h.rank:>3}. {h.score:.4f}  {h.doc_id} #{h.chunk}  {snippet}",
                  markup=False, highlight=False)
