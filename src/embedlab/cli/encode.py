"""``embedlab encode``: a file of texts in, a file of vectors out (row i = text i)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab.cli import common
from embedlab.cli.common import ModelOpt, err
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL


def encode(
    input: Annotated[
        str, typer.Argument(help="Texts: .txt .jsonl .json .csv .tsv .parquet, or -. For an "
                            "image model: a folder, a glob, a list of paths, or a table with a "
                            "path column.")
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
    layer: Annotated[str | None, typer.Option(
        help="Image models: the layer to read (top, avg_pool, fc1, or a module name).")] = None,
    skip_bad: Annotated[bool, typer.Option(
        "--skip-bad", help="Image models: leave out unreadable files (counted).")] = False,
) -> None:
    """Encode a file of texts (or images, with an image model) into a file of vectors."""
    from embedlab.data.writers import check_output_path
    from embedlab.embedders.streaming import encode_file
    from embedlab.registry import IMAGE_KINDS, load, resolve

    resolved = resolve(model)
    joint_images = resolved.kind == "joint" and (
        Path(input).is_dir() or any(c in input for c in "*?["))
    if resolved.kind in IMAGE_KINDS or joint_images:
        _encode_images(input, output, resolved, field=field, layer=layer, skip_bad=skip_bad,
                       batch_size=batch_size, normalize=not no_normalize, no_cache=no_cache,
                       as_json=as_json, quiet=quiet)
        return
    if layer is not None or skip_bad:
        raise EmbedlabError("--layer and --skip-bad apply to image models only")
    if kind not in ("query", "document"):
        raise EmbedlabError(f"--kind must be query or document, not {kind!r}")
    if long is not None and long not in ("truncate", "chunk"):
        raise EmbedlabError(f"--long must be truncate or chunk, not {long!r}")
    target = check_output_path(output)
    start = time.perf_counter()
    embedder = load(resolved, pooling=pooling, max_length=max_length, long=long,
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


def _encode_images(source: str, output: str, resolved: Any, *, field: str | None,
                   layer: str | None, skip_bad: bool, batch_size: int, normalize: bool,
                   no_cache: bool, as_json: bool, quiet: bool) -> None:
    from embedlab.data.images import read_images
    from embedlab.data.writers import check_output_path, write_vectors
    from embedlab.embedders.image import encode_images
    from embedlab.registry import load

    target = check_output_path(output)
    images = read_images(source, field)
    start = time.perf_counter()
    options = {"layer": layer} if layer is not None else {}
    embedder = load(resolved, cache_dir=False if no_cache else None, **options)
    embedder = getattr(embedder, "images", embedder)  # a joint model: its image side
    result = encode_images(embedder, images.paths, skip_bad=skip_bad, batch_size=batch_size,
                           normalize=normalize, progress=not quiet)
    kept = images.subset(result.kept)
    write_vectors(target, result.vectors, kept.ids, model=embedder.config_key())
    summary: dict[str, Any] = {
        "model": embedder.name, "input": source, "output": str(target),
        "dim": int(result.vectors.shape[1]), **result.stats.as_dict(),
        "seconds_total": round(time.perf_counter() - start, 3),
        "skipped_files": [images.ids[i] for i in sorted(result.bad)][:20],
    }
    if as_json:
        print(json.dumps(summary))
        return
    s = summary
    err.print(f"wrote {s['count']} image vectors of dim {s['dim']} to {s['output']} "
              f"({s['cache_hits']} from cache, {s['skipped']} unreadable files skipped) "
              f"in {s['seconds_total']:.1f} s")
    for i in sorted(result.bad)[:5]:
        err.print(f"  skipped {images.ids[i]}: {result.bad[i]}")
