"""Image embedders: a torch CNN's features at a named layer, for image files.

In: a torch module, the layer whose output is the embedding (a forward hook reads it; a 4-D
output is global-average-pooled), and the model's :class:`Preprocess`. Out: an
:class:`ImageEmbedder`, ``modality = "image"``: it takes file paths and goes through the shared
encode path (duplicates once, the vector cache keyed on each file's content hash, batches,
order restored). While the model runs one batch, a thread pool decodes the next ones (at most
``prefetch`` batches ahead, so memory stays bounded).

Loaders: :func:`from_files` (EfficientNet-lite0 with its packaged ImageNet weights;
``efficientnet-lite-pytorch`` builds the architecture) and :func:`timm_from_files` (any timm
architecture by name; timm is optional and needs torchvision). :func:`encode_images` is what
``encode``, ``eval`` and ``index`` call: with ``skip_bad`` unreadable files are found first and
left out (counted), otherwise the first one is an error naming it.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.embedders.base import BaseEmbedder, EncodeStats, Kind
from embedlab.embedders.image_decode import MAX_PIXELS, Preprocess, check, decode
from embedlab.embedders.manifest import read_manifest, write_manifest
from embedlab.errors import EmbedlabError, ModelNotAvailableError

#: layer names the seed documents use, per architecture family -> the module to hook
EFFICIENTNET_LITE_LAYERS = {"top": "_avg_pooling", "avg_pool": "_avg_pooling",
                            "head": "_bn1", "fc": "_fc", "logits": "_fc"}
TIMM_LAYERS = {"top": "global_pool", "avg_pool": "global_pool", "fc1": "pre_logits.fc1",
               "fc2": "pre_logits.fc2", "logits": "fc"}


class _Image:
    """A path in the encode path; every image costs the same (``len`` 1) for batching."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    def __len__(self) -> int:
        return 1


def default_decode_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class LayerFeatures:
    """Runs a torch module and returns the output of its module named ``layer`` (pooled)."""

    def __init__(self, model: Any, layer: str) -> None:
        modules = dict(model.named_modules())
        if layer not in modules:
            names = [n for n in modules if n][:12]
            raise EmbedlabError(f"the model has no layer {layer!r}; some of its layers: "
                                f"{', '.join(names)}, ...")
        self.model = model
        self.layer = layer
        self._out: list[Any] = []
        modules[layer].register_forward_hook(lambda _m, _i, out: self._out.append(out))

    def __call__(self, batch: Any) -> np.ndarray:
        import torch

        self._out.clear()
        with torch.inference_mode():
            self.model(batch)
            out = self._out[-1]
            if isinstance(out, (tuple, list)):
                out = out[0]
            if out.dim() == 4:
                out = out.mean(dim=(2, 3))
            elif out.dim() == 3:
                out = out.mean(dim=1)
            return out.reshape(out.shape[0], -1).to(torch.float32).numpy()


class ImageEmbedder(BaseEmbedder):
    """A CNN's layer features for image files (module docstring)."""

    modality = "image"

    def __init__(self, model: Any, *, name: str, layer: str, preprocess: Preprocess,
                 weights_id: str = "", threads: int | None = None,
                 decode_threads: int | None = None, prefetch: int = 2,
                 max_pixels: int = MAX_PIXELS, channels_last: bool = True,
                 cache_dir: Any = None) -> None:
        super().__init__(cache_dir=cache_dir)
        import torch

        if threads is not None:
            if threads < 1:
                raise EmbedlabError(f"threads must be at least 1, got {threads}")
            torch.set_num_threads(threads)
        self.name = name
        self.layer = layer
        self.preprocess = preprocess
        self.weights_id = weights_id
        self.decode_threads = decode_threads or default_decode_threads()
        self.prefetch = max(1, prefetch)
        self.max_pixels = max_pixels
        # channels-last: convolutions on CPU (oneDNN) skip a layout reorder at every layer
        self.channels_last = channels_last
        self.model = model.eval()
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.features = LayerFeatures(self.model, layer)
        probe = np.zeros((1, preprocess.size, preprocess.size, 3), dtype=np.uint8)
        self.dim = int(self.features(preprocess.normalise(probe, channels_last)).shape[1])
        self._decoder: ThreadPoolExecutor | None = None

    # -- the contract's hooks for a non-text modality ---------------------------------------
    def _check_item(self, item: Any) -> str | None:
        if not isinstance(item, (str, os.PathLike)):
            return f"is {type(item).__name__}, expected an image file path"
        if not Path(item).is_file():
            return f"{str(item)!r} is not a file"
        return None

    def _item_bytes(self, item: Any) -> bytes:
        digest = hashlib.blake2b(digest_size=20)
        with open(item, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return b"image:" + digest.digest()

    def count_tokens(self, texts: Sequence[Any], kind: Kind = "document") -> list[int]:
        return [1 for _ in texts]

    def config_key(self) -> str:
        return (f"ImageEmbedder|{self.name}|{self.weights_id}|{self.layer}|{self.dim}|"
                f"{self.preprocess.key()}")

    def _prepare(self, texts: list[Any], kind: Kind) -> list[Any]:
        return [_Image(Path(t)) for t in texts]

    # -- decoding in background threads -------------------------------------------------------
    def decoder(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._decoder is None:
                self._decoder = ThreadPoolExecutor(self.decode_threads, "embedlab-decode")
            return self._decoder

    def _decode(self, item: _Image) -> np.ndarray:
        return decode(item.path, self.preprocess, self.max_pixels)

    def _forward(self, pixels: list[np.ndarray]) -> np.ndarray:
        return self.features(self.preprocess.normalise(np.stack(pixels), self.channels_last))

    def _embed_items(self, items: list[Any], kind: Kind) -> np.ndarray:
        return self._forward(list(self.decoder().map(self._decode, items)))

    def _run_batches(self, batches: list[list[int]], pieces: list[Any], kind: Kind
                     ) -> Iterator[tuple[list[int], np.ndarray]]:
        """Each batch's vectors in order, the next ``prefetch`` batches decoding meanwhile."""
        pool = self.decoder()
        queued: deque[list[Future[np.ndarray]]] = deque()
        upcoming = iter(batches)

        def queue_next() -> None:
            batch = next(upcoming, None)
            if batch is not None:
                queued.append([pool.submit(self._decode, pieces[k]) for k in batch])

        try:
            for _ in range(self.prefetch):
                queue_next()
            for batch in batches:
                futures = queued.popleft()
                queue_next()
                yield batch, self._forward([f.result() for f in futures])
        finally:  # an error or Ctrl+C: drop the decoding still queued
            for futures in queued:
                for future in futures:
                    future.cancel()


@dataclass
class ImageEncoding:
    """What :func:`encode_images` did: ``vectors`` for the ``kept`` positions, the files left
    out (``bad``: position -> reason), and the encode stats."""

    vectors: np.ndarray
    kept: list[int]
    bad: dict[int, str]
    stats: EncodeStats


def find_bad(paths: Sequence[str | Path], threads: int | None = None,
             limit: int = MAX_PIXELS) -> dict[int, str]:
    """Position -> reason for each file that cannot be decoded (all decoded, in threads)."""
    with ThreadPoolExecutor(threads or default_decode_threads()) as pool:
        reasons = list(pool.map(lambda p: check(p, limit), paths))
    return {i: r for i, r in enumerate(reasons) if r is not None}


def encode_images(embedder: BaseEmbedder, paths: Sequence[str | Path], *,
                  skip_bad: bool = False, batch_size: int = 32, normalize: bool = True,
                  progress: bool = False) -> ImageEncoding:
    """Vectors for image files; an unreadable file is an error naming it, or, with
    ``skip_bad``, left out and counted (the files are decoded once more first to find them)."""
    if embedder.modality != "image":
        raise EmbedlabError(f"{embedder.name} is a {embedder.modality} model; it cannot "
                            "encode images")
    if not paths:
        raise EmbedlabError("no images to encode")
    bad: dict[int, str] = {}
    if skip_bad:
        bad = find_bad(paths, getattr(embedder, "decode_threads", None),
                       getattr(embedder, "max_pixels", MAX_PIXELS))
    kept = [i for i in range(len(paths)) if i not in bad]
    if not kept:
        raise EmbedlabError(f"none of the {len(paths)} images could be read; the first: "
                            f"{paths[next(iter(bad))]}: {bad[next(iter(bad))]}")
    result = embedder.embed([paths[i] for i in kept], batch_size=batch_size,
                            normalize=normalize, progress=progress)
    result.stats.extra["skipped"] = len(bad)
    return ImageEncoding(result.vectors, kept, bad, result.stats)


# -- loaders ---------------------------------------------------------------------------------
def _pick_layer(layer: str | None, aliases: Mapping[str, str], default: str) -> str:
    if layer is None:
        return default
    return aliases.get(layer, layer)


def efficientnet_lite(variant: str = "efficientnet-lite0", weights: Path | None = None,
                      **overrides: Any) -> Any:
    """An EfficientNet-lite torch module (random, or with ``weights``); ``overrides`` change the
    architecture (e.g. ``width_coefficient``, ``depth_coefficient`` for a tiny test model)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
        from efficientnet_lite_pytorch.utils import get_model_params
    except ImportError:
        raise ModelNotAvailableError("EfficientNet-lite needs its architecture package: "
                                     "pip install --no-deps efficientnet-lite-pytorch") from None
    import torch

    blocks, params = get_model_params(variant, overrides)
    model = EfficientNet(blocks, params)
    if weights is not None:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    return model


def from_files(files: Mapping[str, Path], *, name: str, cache_dir: Any = None,
               layer: str | None = None, threads: int | None = None,
               variant: str = "efficientnet-lite0", **_: Any) -> ImageEmbedder:
    """The registry's loader for EfficientNet-lite weights (``files["weights"]``): the 1280-d
    globally pooled top features by default (``layer``: ``top``, ``head``, ``logits`` or any
    named module)."""
    model = efficientnet_lite(variant, files["weights"])
    size = model.input_image_size
    weights = Path(files["weights"])
    return ImageEmbedder(model, name=name, layer=_pick_layer(layer, EFFICIENTNET_LITE_LAYERS,
                                                             "_avg_pooling"),
                         preprocess=Preprocess(size=size), threads=threads,
                         weights_id=f"{weights.name}:{weights.stat().st_size}",
                         cache_dir=cache_dir)


def save_efficientnet_lite(model: Any, folder: Path, *, variant: str = "efficientnet-lite0",
                           overrides: Mapping[str, Any] | None = None) -> Path:
    """Write an EfficientNet-lite (e.g. a small one built for a test) as a model folder:
    ``weights.pth`` and an ``embedlab.json`` manifest that :func:`folder_from_files` reads."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / "weights.pth")
    write_manifest(folder, {"kind": "image", "architecture": "efficientnet-lite",
                            "variant": variant, "overrides": dict(overrides or {}),
                            "weights": "weights.pth"})
    return folder


def folder_from_files(files: Mapping[str, Path], *, name: str, cache_dir: Any = None,
                      layer: str | None = None, threads: int | None = None,
                      **_: Any) -> ImageEmbedder:
    """The registry's loader for an image-model folder (an ``embedlab.json`` of kind
    ``image``): an EfficientNet-lite, or a timm architecture (``"architecture": "timm"``,
    ``"arch"``) with a local checkpoint."""
    folder = Path(files["folder"])
    manifest = read_manifest(folder) or {}
    weights = folder / str(manifest.get("weights", "weights.pth"))
    if not weights.is_file():
        raise EmbedlabError(f"{folder}: no weights file {weights.name}")
    if manifest.get("architecture") == "timm":
        return timm_from_files({"checkpoint": weights}, name=f"timm:{manifest.get('arch')}",
                               cache_dir=cache_dir, layer=layer, threads=threads)
    if manifest.get("architecture") != "efficientnet-lite":
        raise EmbedlabError(f"{folder}: unknown image architecture "
                            f"{manifest.get('architecture')!r}")
    overrides = dict(manifest.get("overrides") or {})
    variant = str(manifest.get("variant", "efficientnet-lite0"))
    model = efficientnet_lite(variant, weights, **overrides)
    return ImageEmbedder(model, name=name, layer=_pick_layer(layer, EFFICIENTNET_LITE_LAYERS,
                                                             "_avg_pooling"),
                         preprocess=Preprocess(size=model.input_image_size), threads=threads,
                         weights_id=f"{weights}:{weights.stat().st_mtime_ns}",
                         cache_dir=cache_dir)


def timm_from_files(files: Mapping[str, Path], *, name: str, cache_dir: Any = None,
                    layer: str | None = None, threads: int | None = None,
                    **_: Any) -> ImageEmbedder:
    """The registry's loader for a timm architecture by name (``timm:resnet50``): weights from
    ``files["checkpoint"]`` when given, else timm's hub (where one is reachable); the pre-logits
    features by default, ``layer`` (``avg_pool``, ``fc1``, ``top`` or any named module)."""
    try:
        import timm
        from timm.data import resolve_data_config
    except ImportError as exc:
        raise ModelNotAvailableError(f"timm models need the images extra with timm and "
                                     f"torchvision (pip install timm torchvision): {exc}"
                                     ) from None
    arch = name.removeprefix("timm:")
    checkpoint = files.get("checkpoint")
    try:
        model = timm.create_model(arch, pretrained=checkpoint is None,
                                  checkpoint_path=str(checkpoint) if checkpoint else "")
    except RuntimeError as exc:
        raise EmbedlabError(f"timm model {arch!r}: {exc}") from None
    except Exception as exc:  # noqa: BLE001  (hub unreachable, unknown name: one line)
        raise EmbedlabError(f"timm model {arch!r} could not be loaded: {exc}") from None
    config = resolve_data_config({}, model=model)
    pre = Preprocess(size=int(config["input_size"][-1]), crop_pct=float(config["crop_pct"]),
                     mean=tuple(config["mean"]), std=tuple(config["std"]),
                     interpolation=str(config.get("interpolation", "bicubic")))
    chosen = _pick_layer(layer, TIMM_LAYERS, "global_pool")
    return ImageEmbedder(model, name=name, layer=chosen, preprocess=pre, threads=threads,
                         weights_id=str(checkpoint or "hub"), cache_dir=cache_dir)
