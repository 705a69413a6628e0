"""A PNG grid of query images and their nearest neighbours, for image-retrieval reports.

In: examples as :class:`~embedlab.evaluate.images.ImageRetrievalEvaluator` keeps them
(``query``, ``label``, ``neighbours``: ``path``, ``label``, ``same``). Out: one row per query:
the query (blue frame), then its neighbours best first, framed green when of the query's class
and red when not, each captioned with its label. Drawn with PIL (thumbnails, no plotting
library needed); an image that cannot be opened any more is drawn grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embedlab.files import atomic_file

FRAME = {"query": (40, 90, 200), True: (30, 160, 60), False: (200, 40, 40)}


def _thumb(path: str, size: int) -> Any:
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image) or image
            return ImageOps.fit(image.convert("RGB"), (size, size))
    except (OSError, ValueError):
        return Image.new("RGB", (size, size), (128, 128, 128))


def neighbour_grid(examples: Sequence[dict[str, Any]], path: str | Path, *,
                   thumb: int = 96) -> Path:
    """Write the grid (module docstring) to ``path`` as a PNG; its path."""
    from PIL import Image, ImageDraw

    pad, caption, frame = 6, 14, 4
    columns = 1 + max((len(e["neighbours"]) for e in examples), default=0)
    cell = thumb + 2 * frame
    width = pad + columns * (cell + pad)
    height = pad + len(examples) * (cell + caption + pad)
    canvas = Image.new("RGB", (width, max(height, 1)), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for row, example in enumerate(examples):
        y = pad + row * (cell + caption + pad)
        items = [(example["query"], example["label"], "query")]
        items += [(n["path"], n["label"], bool(n["same"])) for n in example["neighbours"]]
        for col, (image_path, label, kind) in enumerate(items):
            x = pad + col * (cell + pad)
            draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=FRAME[kind])
            canvas.paste(_thumb(image_path, thumb), (x + frame, y + frame))
            draw.text((x, y + cell + 1), str(label)[:16], fill=(0, 0, 0))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(target) as f:
        canvas.save(f, format="PNG")
    return target
