"""A file of texts encoded into a file of vectors a block at a time: reader, encoder and writer
in a pipeline, so that peak memory depends on the block, not on the file.

In: an embedder, an input path (``-`` for standard input) and an output path (``.npy`` or
``.parquet``). Out: the output file (row i = text i, ids as the input gives them) and an
:class:`~embedlab.embedders.base.EncodeStats` summed over the blocks. Blocks come from
:class:`~embedlab.data.streaming.TextStream`; each is encoded by the shared encode path (the
vector cache stores every batch as it completes, so an interrupted run resumes) and appended to
:class:`~embedlab.data.writers.VectorWriter`, whose file appears only when all blocks are
written. Duplicates are found within a block (the cache finds them across blocks), so
``unique`` is the sum of each block's distinct texts.
"""

from __future__ import annotations

import time
from pathlib import Path

from embedlab.data.streaming import CHARS, ROWS, TextStream
from embedlab.data.writers import VectorWriter, check_output_path
from embedlab.embedders.base import BaseEmbedder, EncodeStats, Kind
from embedlab.progress import progress_bar

_SUMMED = ("count", "unique", "cache_hits", "encoded", "truncated", "chunked", "oov_tokens",
           "tokens")


def encode_file(embedder: BaseEmbedder, source: str | Path, output: str | Path, *,
                field: str | None = None, batch_size: int = 32, normalize: bool = True,
                kind: Kind = "document", progress: bool = False, rows: int = ROWS,
                chars: int = CHARS) -> EncodeStats:
    """Encode the texts of ``source`` into ``output`` (see the module docstring)."""
    start = time.perf_counter()
    target = check_output_path(output)
    stream = TextStream(source, field, rows=rows, chars=chars)
    stats = EncodeStats()
    with VectorWriter(target, int(embedder.dim), model=embedder.config_key()) as writer, \
            progress_bar(progress, stream.size, f"encoding with {embedder.name}") as advance:
        done = 0
        for block in stream:
            result = embedder.embed(block.texts, batch_size=batch_size, normalize=normalize,
                                    kind=kind)
            writer.append(result.vectors, block.ids)
            for name in _SUMMED:
                setattr(stats, name, getattr(stats, name) + getattr(result.stats, name))
            advance(stream.position - done)
            done = stream.position
    stats.seconds = time.perf_counter() - start
    return stats
