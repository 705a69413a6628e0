"""``embedlab encode``: a file of texts in, a file of vectors out (row i = text i)."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from embedlab.cli import common
from embedlab.cli.common import ModelOpt, err
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL


def encode(
    input: Annotated[
        str, typer.Argument(help="Texts: .txt .jsonl .json .csv .tsv .parquet, or -.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Vectors: .npy or .parquet.")],
    model: ModelOpt = DEFAULT_MODEL,
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
    from embedlab.data.writers import check_output_path
    from embedlab.embedders.streaming import encode_file
    from embedlab.registry import load

    if kind not in ("query", "document"):
        raise EmbedlabError(f"--kind must be query or document, not {kind!r}")
    if long is not None and long not in ("truncate", "chunk"):
        raise EmbedlabError(f"--long must be truncate or chunk, not {long!r}")
    target = check_output_path(output)
    start = time.perf_counter()
    embedder = load(model, pooling=pooling, max_length=max_length, long=long,
                    cache_dir=False if no_cache else None)
    if embedder.cache is not None:
        common.interrupt_note = common.RESUME_NOTE
    stats = encode_file(embedder, input, target, field=field, batch_size=batch_size,
                        normalize=not no_normalize, kind=kind,  # type: ignore[arg-type]
                        progress=not quiet)
    summary: dict[str, Any] = {
        "model": embedder.name, "input": input, "output": str(target),
        "dim": int(embedder.dim), **stats.as_dict(),
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
