"""Image files decoded into model-ready pixels: the one place that opens images.

In: a path and a :class:`Preprocess` (the model's input size, crop fraction, mean and std).
Out: a ``uint8`` array ``(size, size, 3)`` (RGB, resized so the shorter side is
``size / crop_pct``, then centre-cropped); :meth:`Preprocess.normalise` turns a stacked batch
into the float tensor the model takes (scaling and normalising once per batch is cheaper than
per image). EXIF orientation is applied; grayscale, palette, CMYK, 16-bit and alpha images
become RGB (transparent pixels on white). A file PIL cannot read, a truncated one, or one whose
header claims more than :data:`MAX_PIXELS` pixels (a decompression bomb: refused before any
pixel is decoded) raises :class:`ImageDecodeError` naming the file. Written with PIL and numpy
rather than torchvision, which does not install beside the pinned torch here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

#: the most pixels an image may claim (PIL's own default warning threshold, 89.5 Mpx)
MAX_PIXELS = 89_478_485
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageDecodeError(EmbedlabError):
    """An image file that cannot be used; ``path`` is the file, the message says why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class Preprocess:
    """A model's input: square ``size``, shorter side resized to ``size / crop_pct`` first,
    then centre-cropped; pixels scaled to [0, 1] and normalised with ``mean`` and ``std``."""

    size: int = 224
    crop_pct: float = 0.875
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    interpolation: str = "bicubic"

    @property
    def resize_to(self) -> int:
        return max(self.size, int(round(self.size / self.crop_pct)))

    def key(self) -> str:
        return (f"{self.size}/{self.crop_pct}/{self.interpolation}/"
                f"{','.join(map(str, self.mean))}/{','.join(map(str, self.std))}")

    def normalise(self, batch: np.ndarray, channels_last: bool = False) -> Any:
        """A ``uint8`` batch ``(n, h, w, 3)`` as a normalised float32 torch tensor
        ``(n, 3, h, w)``; ``channels_last`` keeps the pixels' own memory order (NHWC strides),
        which a model converted to channels-last runs on without reordering."""
        import torch

        x = torch.from_numpy(batch).permute(0, 3, 1, 2).to(torch.float32)
        mean = torch.tensor(self.mean, dtype=torch.float32).view(1, 3, 1, 1) * 255.0
        std = torch.tensor(self.std, dtype=torch.float32).view(1, 3, 1, 1) * 255.0
        out = (x - mean) / std
        layout = torch.channels_last if channels_last else torch.contiguous_format
        return out.contiguous(memory_format=layout)


def _to_rgb(image: Any) -> Any:
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit grayscale: scale to 8 bits
        values = np.asarray(image, dtype=np.float64)
        top = max(float(values.max()), 1.0)
        image = Image.fromarray((values * (255.0 / top)).clip(0, 255).astype(np.uint8))
    return image if image.mode == "RGB" else image.convert("RGB")


def open_image(path: str | Path, limit: int = MAX_PIXELS, draft: int | None = None) -> Any:
    """The file as an RGB PIL image, orientation applied (module docstring for the checks).

    ``draft``: a JPEG may be decoded straight at a smaller scale, its sides kept >= this."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        raise ImageDecodeError(path, "not an image file PIL can read") from None
    except Image.DecompressionBombError:
        raise ImageDecodeError(path, f"claims more than {limit} pixels (decompression-bomb "
                               "limit); refused") from None
    except OSError as exc:
        raise ImageDecodeError(path, f"damaged or truncated image ({exc})") from None
    width, height = image.size
    if width * height > limit:
        image.close()
        raise ImageDecodeError(path, f"is {width}x{height} = {width * height} pixels, over the "
                               f"{limit}-pixel decompression-bomb limit; refused")
    try:
        if draft and image.format == "JPEG":
            image.draft("RGB", (draft, draft))
        image.load()
        image = ImageOps.exif_transpose(image) or image
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageDecodeError(path, f"damaged or truncated image ({exc})") from None


def decode(path: str | Path, pre: Preprocess, limit: int = MAX_PIXELS) -> np.ndarray:
    """``uint8`` RGB pixels ``(size, size, 3)``, resized and centre-cropped for the model."""
    from PIL import Image

    resample = {"bicubic": Image.Resampling.BICUBIC, "bilinear": Image.Resampling.BILINEAR,
                "nearest": Image.Resampling.NEAREST}[pre.interpolation]
    image = open_image(path, limit, draft=pre.resize_to)
    width, height = image.size
    scale = pre.resize_to / min(width, height)
    new_w, new_h = max(pre.size, round(width * scale)), max(pre.size, round(height * scale))
    if (new_w, new_h) != (width, height):
        image = image.resize((new_w, new_h), resample, reducing_gap=3.0)
    left, top = (new_w - pre.size) // 2, (new_h - pre.size) // 2
    image = image.crop((left, top, left + pre.size, top + pre.size))
    return np.array(image, dtype=np.uint8)


def check(path: str | Path, limit: int = MAX_PIXELS) -> str | None:
    """Why the file cannot be used (decoded fully), or None when it can."""
    try:
        open_image(path, limit)
    except ImageDecodeError as exc:
        return exc.reason
    return None
