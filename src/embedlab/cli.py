"""The ``embedlab`` command line: one short function per command, each a call to the library.

Every user error is one line on stderr (``error: ...``) and exit code 2; no tracebacks unless
``EMBEDLAB_DEBUG=1``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import warnings
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from embedlab.errors import EmbedlabError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Encode, evaluate and search with embedding models, offline, on a CPU.",
)
out = Console()
err = Console(stderr=True)

ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Registry name, local path or hub id.")
]


def _quiet_libraries() -> None:
    """Keep library chatter (weight-loading bars, config notices) off the terminal."""
    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "model2vec", "huggingface_hub",
                 "gensim", "onnxruntime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


@app.command()
def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the models embedlab knows by name, and whether each is installed here."""
    from embedlab.registry import list_models

    rows = list_models()
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("name", "kind", "dim", "available", "source", "description")
    for r in rows:
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, r["kind"], str(r["dim"]), "yes" if r["available"] else "no",
                      r["source"], r["description"])
    out.print(table)


@app.command()
def encode(
    input: Annotated[
        str, typer.Argument(help="Texts: .txt .jsonl .json .csv .tsv .parquet, or -.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Vectors: .npy or .parquet.")],
    model: ModelOpt = "minilm",
    field: Annotated[str | None, typer.Option(help="The text column or field.")] = None,
    pooling: Annotated[str | None, typer.Option(
        help="mean, cls, max, weighted-mean, last (transformers); mean, sif (word vectors).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Texts per batch.")] = 32,
    no_normalize: Annotated[bool, typer.Option("--no-normalize",
                                               help="Keep raw vector lengths.")] = False,
    kind: Annotated[str, typer.Option(help="query or document (picks the prompt).")] = "document",
    max_length: Annotated[int | None, typer.Option(min=4, help="Window in tokens.")] = None,
    long: Annotated[str | None, typer.Option(
        help="Texts over the window: truncate (default) or chunk (split and mean-pool).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the vector cache.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Encode a file of texts into a file of vectors (row i = text i)."""
    from embedlab.data.readers import read_texts
    from embedlab.data.writers import check_output_path, write_vectors
    from embedlab.registry import load

    if kind not in ("query", "document"):
        raise EmbedlabError(f"--kind must be query or document, not {kind!r}")
    if long is not None and long not in ("truncate", "chunk"):
        raise EmbedlabError(f"--long must be truncate or chunk, not {long!r}")
    target = check_output_path(output)
    table = read_texts(input, field)
    start = time.perf_counter()
    embedder = load(model, pooling=pooling, max_length=max_length, long=long,
                    cache_dir=False if no_cache else None)
    result = embedder.embed(table.texts, batch_size=batch_size, normalize=not no_normalize,
                            kind=kind, progress=not quiet)  # type: ignore[arg-type]
    write_vectors(target, result.vectors, table.ids)
    summary: dict[str, Any] = {
        "model": embedder.name, "input": input, "output": str(target),
        "dim": int(result.vectors.shape[1]), **result.stats.as_dict(),
        "seconds_total": round(time.perf_counter() - start, 3),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        s = summary
        err.print(f"wrote {s['count']} vectors of dim {s['dim']} to {s['output']} "
                  f"({s['cache_hits']} from cache, {s['truncated']} truncated, "
                  f"{s['chunked']} chunked, {s['oov_tokens']} unknown words) "
                  f"in {s['seconds_total']:.1f} s")


@app.command()
def demo(
    model: ModelOpt = "minilm",
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, help="Articles per query.")] = 3,
) -> None:
    """Encode gensim's Lee news corpus and show the nearest articles for a few queries."""
    from embedlab.demo import run_demo

    err.print(f"encoding the Lee corpus (300 news articles) with {model}...")
    for query, hits in run_demo(model, k=k):
        out.print(f"\n[bold]{query}[/bold]")
        for hit in hits:
            snippet = hit.text[:110] + ("..." if len(hit.text) > 110 else "")
            out.print(f"  {hit.rank}. {hit.score:.3f}  #{hit.doc:<3} {snippet}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning every user error into one line and exit code 2."""
    _quiet_libraries()
    debug = os.environ.get("EMBEDLAB_DEBUG") == "1"
    try:
        app(args=argv, standalone_mode=False)
    except EmbedlabError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option values, missing arguments
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except MemoryError:
        print("error: out of memory; try a smaller --batch-size", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
