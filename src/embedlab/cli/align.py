"""``embedlab align``: train the heads that put texts and images into one space (LiT-style)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err
from embedlab.named_models import DEFAULT_MODEL


def align(
    images: Annotated[str, typer.Option("--images", help="Captioned images: a COCO folder or "
                                        "captions JSON, an image,caption table, or a folder "
                                        "with .txt sidecars.")],
    out_dir: Annotated[str, typer.Option("--out", help="The joint model folder to create.")],
    image_model: Annotated[str, typer.Option(help="The (frozen) image model.")]
    = "efficientnet-lite0",
    model: ModelOpt = DEFAULT_MODEL,
    split: Annotated[str, typer.Option(help="The split to train on (COCO layouts).")] = "train",
    dim: Annotated[int, typer.Option(min=2, help="Size of the shared space.")] = 256,
    steps: Annotated[int, typer.Option(min=1, help="Training steps.")] = 300,
    batch_size: Annotated[int, typer.Option(min=2, help="Images per InfoNCE batch.")] = 64,
    lr: Annotated[float, typer.Option("--lr", help="AdamW learning rate.")] = 1e-3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Train text and image heads (frozen encoders, symmetric InfoNCE) on captioned images."""
    from embedlab.train.align import AlignConfig
    from embedlab.train.align import align as run_align

    config = AlignConfig(dim=dim, steps=steps, batch_size=batch_size, lr=lr)
    report = run_align(images, out_dir, image_model=image_model, text_model=model, split=split,
                       config=config, progress=not quiet)
    if as_json:
        print(json.dumps(report.as_dict()))
    else:
        err.print(f"wrote {report.out}: {report.images} images, {report.captions} captions; "
                  f"loss {report.loss_first:.3f} -> {report.loss_last:.3f} in "
                  f"{report.seconds:.1f} s")
