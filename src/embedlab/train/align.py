"""``embedlab align``: texts and images in one space, LiT-style, from captioned images.

In: captioned images (:mod:`embedlab.data.captions`), an image model and a text model (names
or paths), the output folder. Both encoders stay frozen (LiT: "locked-image tuning", here with
the text tower locked too): their L2-normalised vectors are computed once, and two linear
heads (image -> ``dim``, text -> ``dim``) and a temperature are trained with the symmetric
InfoNCE loss of CLIP (each batch: distinct images, one random caption each; the matching
caption is the positive, the batch's others the negatives, both directions). Out: a folder
(written whole or not at all) with ``embedlab.json`` (kind ``joint``, the two model names) and
``heads.npz``; ``embedlab.load(folder)`` gives a model that encodes texts and, through
``.images``, image files. Written here with torch: a few hundred steps of two linear maps need
no training framework.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.captions import load_captioned
from embedlab.embedders.joint import HEADS
from embedlab.embedders.manifest import write_manifest
from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder
from embedlab.registry import load


@dataclass
class AlignConfig:
    dim: int = 256
    steps: int = 300
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    temperature: float = 0.07
    seed: int = 42


@dataclass
class AlignReport:
    out: str
    images: int
    captions: int
    loss_first: float
    loss_last: float
    temperature: float
    seconds: float
    config: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_heads(image_vecs: np.ndarray, text_vecs: np.ndarray, owners: list[int],
                config: AlignConfig) -> tuple[dict[str, np.ndarray], list[float]]:
    """The heads and temperature trained with symmetric InfoNCE; the losses per step."""
    import torch
    import torch.nn.functional as F

    if len(image_vecs) < 2:
        raise EmbedlabError("align needs at least two captioned images")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    image_x = torch.from_numpy(np.asarray(image_vecs, dtype=np.float32))
    text_x = torch.from_numpy(np.asarray(text_vecs, dtype=np.float32))
    image_head = torch.nn.Linear(image_x.shape[1], config.dim)
    text_head = torch.nn.Linear(text_x.shape[1], config.dim)
    log_scale = torch.nn.Parameter(torch.tensor(float(np.log(1 / config.temperature))))
    params = [*image_head.parameters(), *text_head.parameters(), log_scale]
    optimiser = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    captions_of: dict[int, list[int]] = {}
    for j, owner in enumerate(owners):
        captions_of.setdefault(owner, []).append(j)
    owned = np.array(sorted(captions_of))
    losses = []
    for _ in range(config.steps):
        batch = rng.choice(owned, size=min(config.batch_size, len(owned)), replace=False)
        caps = [int(rng.choice(captions_of[int(i)])) for i in batch]
        zi = F.normalize(image_head(image_x[torch.from_numpy(batch)]), dim=-1)
        zt = F.normalize(text_head(text_x[torch.tensor(caps)]), dim=-1)
        logits = log_scale.clamp(max=float(np.log(100))).exp() * zi @ zt.T
        target = torch.arange(len(batch))
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    heads = {"image_weight": image_head.weight.detach().numpy(),
             "image_bias": image_head.bias.detach().numpy(),
             "text_weight": text_head.weight.detach().numpy(),
             "text_bias": text_head.bias.detach().numpy(),
             "logit_scale": np.array(float(log_scale.detach().exp()), dtype=np.float32)}
    return heads, losses


def align(captioned: str | Path, out_dir: str | Path, *, image_model: Any = "efficientnet-lite0",
          text_model: Any = None, split: str | None = "train", config: AlignConfig | None = None,
          batch_size: int = 32, progress: bool = False) -> AlignReport:
    """Train the heads on ``captioned`` and write the joint model to ``out_dir``."""
    from embedlab.named_models import DEFAULT_MODEL

    config = config or AlignConfig()
    start = time.perf_counter()
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EmbedlabError(f"{out}: exists and is not an empty folder")
    data = load_captioned(captioned, split=split)
    text_name = str(text_model or DEFAULT_MODEL)
    image_name = str(image_model)
    images = load(image_name)
    texts = load(text_name)
    if images.modality != "image":
        raise EmbedlabError(f"{image_name} is a {images.modality} model, not an image model")
    if texts.modality != "text":
        raise EmbedlabError(f"{text_name} is a {texts.modality} model, not a text model")
    captions, owners = data.pairs()
    image_vecs = images.encode(data.paths, batch_size=batch_size, progress=progress)
    text_vecs = texts.encode(captions, batch_size=batch_size, progress=progress)
    heads, losses = train_heads(image_vecs, text_vecs, owners, config)
    with staged_folder(out) as tmp:
        np.savez(tmp / HEADS, **heads)
        write_manifest(tmp, {"kind": "joint", "text_model": _recorded(text_name),
                             "image_model": _recorded(image_name), "dim": config.dim,
                             "trained_on": data.name, "config": asdict(config)})
    return AlignReport(str(out), len(data.paths), len(captions), losses[0], losses[-1],
                       float(1 / heads["logit_scale"]), round(time.perf_counter() - start, 2),
                       asdict(config))


def _recorded(name: str) -> str:
    """A model name as the folder records it: a local path made absolute."""
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name
