"""Text-image retrieval: captions find their images, images find their captions.

In: :class:`~embedlab.data.captions.CaptionedImages` and a joint model (texts encoded by the
model, images by its ``images`` side, into one space; ``embedlab align`` makes one). Every
caption ranks all the images (text -> image: a hit when its own image is in the top k) and every
image ranks all the captions (image -> text: a hit when one of its captions is in the top k).
Out: ``t2i_recall@k`` and ``i2t_recall@k`` for k in 1, 5, 10 (main: ``t2i_recall@10``), and
``chance_t2i_recall@10`` (k / number of images) to read them against.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedlab.data.captions import CaptionedImages
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Evaluator, NotApplicableError, model_name

KS = (1, 5, 10)


def recall_at(scores: np.ndarray, relevant: np.ndarray, ks: tuple[int, ...] = KS
              ) -> dict[int, float]:
    """Per k, the fraction of rows whose top k columns (by score) hold a relevant one."""
    order = np.argsort(-scores, axis=1, kind="stable")
    hits = np.take_along_axis(relevant, order, axis=1)
    first = np.where(hits.any(axis=1), hits.argmax(axis=1), scores.shape[1])
    return {k: float((first < k).mean()) for k in ks}


class TextImageRetrievalEvaluator(Evaluator):
    """Text -> image and image -> text recall@k (see the module docstring)."""

    kind: ClassVar[str] = "text-image-retrieval"
    primary_metric: ClassVar[str] = "t2i_recall@10"

    def __init__(self, data: CaptionedImages, *, batch_size: int = 32,
                 progress: bool = False) -> None:
        super().__init__(batch_size=batch_size, progress=progress)
        self.data = data

    def __call__(self, model: Any) -> dict[str, float]:
        embedder = self.embedder(model)
        images = getattr(embedder, "images", None)
        if images is None or getattr(images, "modality", None) != "image":
            reason = "it does not encode images and texts into one space"
            raise NotApplicableError(
                f"model {model_name(model)!r} does not apply to {self.kind}: {reason}", reason)
        if len(self.data.paths) < 2:
            raise EmbedlabError(f"{self.data.name}: text-image retrieval needs two images")
        captions, owners = self.data.pairs()
        text_vecs = self.encode(model, captions)
        image_vecs = images.encode(self.data.paths, batch_size=self.batch_size, normalize=True,
                                   progress=self.progress)
        relevant = np.asarray(owners)[:, None] == np.arange(len(self.data.paths))[None, :]
        scores = text_vecs @ image_vecs.T
        out = {f"t2i_recall@{k}": v for k, v in recall_at(scores, relevant).items()}
        out.update({f"i2t_recall@{k}": v for k, v in recall_at(scores.T, relevant.T).items()})
        out["chance_t2i_recall@10"] = min(10, len(self.data.paths)) / len(self.data.paths)
        out["images"] = float(len(self.data.paths))
        out["captions"] = float(len(captions))
        return out
