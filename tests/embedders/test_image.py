"""Image embedders: a tiny random EfficientNet-lite through the real loading and encode path."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedlab.embedders.image import encode_images, find_bad
from embedlab.embedders.image_decode import ImageDecodeError, Preprocess, decode
from embedlab.errors import EmbedlabError, ModelNotAvailableError
from embedlab.registry import IMAGE_KINDS, load, resolve


@pytest.fixture(scope="module")
def model(tiny_image_model: Path):
    return load(tiny_image_model, cache_dir=False)


def _paths(root: Path, split: str = "train") -> list[Path]:
    return sorted((root / split).rglob("*.*"))


def test_resolves_folder_and_named_model(tiny_image_model: Path):
    assert resolve(tiny_image_model).kind in IMAGE_KINDS
    assert resolve("resnet50").kind == "timm" and resolve("resnet50").label == "timm:resnet50"
    assert resolve("timm:convnext_nano").kind == "timm"


def test_encodes_files_in_order_with_duplicates(model, image_classes: Path):
    paths = _paths(image_classes)
    assert model.modality == "image" and model.dim == 1280
    result = model.embed([*paths, paths[0]], batch_size=4)
    vecs = result.vectors
    assert vecs.shape == (len(paths) + 1, 1280) and vecs.dtype == np.float32
    assert result.stats.unique == len(paths)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs[0], vecs[-1])
    # batches decoded ahead in threads give what one image at a time gives, in order
    single = np.stack([model.encode([p], batch_size=1)[0] for p in paths[:5]])
    np.testing.assert_allclose(vecs[:5], single, atol=1e-5)


def test_cache_keys_on_content_not_path(tiny_image_model: Path, image_classes: Path,
                                        tmp_path: Path):
    cached = load(tiny_image_model)
    path = _paths(image_classes)[0]
    first = cached.embed([path])
    copy = shutil.copy(path, tmp_path / "renamed.jpg")
    again = cached.embed([copy])
    assert first.stats.cache_hits == 0 and again.stats.cache_hits == 1
    np.testing.assert_array_equal(first.vectors, again.vectors)


def test_layer_choice(tiny_image_model: Path, image_classes: Path):
    logits = load(tiny_image_model, layer="logits", cache_dir=False)
    assert logits.dim == 10
    assert load(tiny_image_model, layer="top", cache_dir=False).dim == 1280
    stem = load(tiny_image_model, layer="_bn0", cache_dir=False)  # any named module, pooled
    assert stem.dim == 32 and stem.encode(_paths(image_classes)[:2]).shape == (2, 32)
    with pytest.raises(EmbedlabError, match="no layer 'nope'"):
        load(tiny_image_model, layer="nope", cache_dir=False)


def test_decode_matches_a_plain_pil_pipeline(image_classes: Path):
    path = _paths(image_classes)[0]
    pre = Preprocess(size=24, crop_pct=0.75)
    ours = decode(path, pre)
    image = Image.open(path).convert("RGB")  # 40x30 -> shorter side 32 -> 43x32 -> crop 24
    image = image.resize((43, 32), Image.Resampling.BICUBIC)
    reference = np.asarray(image.crop((9, 4, 33, 28)))
    assert ours.shape == (24, 24, 3)
    np.testing.assert_array_equal(ours, reference)
    batch = pre.normalise(ours[None]).numpy()
    expected = (ours.astype(np.float32) / 255 - np.array(pre.mean)) / np.array(pre.std)
    np.testing.assert_allclose(batch[0], expected.transpose(2, 0, 1), atol=1e-5)


def test_exif_orientation_and_colour_modes(image_classes: Path, tmp_path: Path):
    pre = Preprocess(size=16, crop_pct=1.0)
    source = Image.open(_paths(image_classes)[0]).convert("RGB")
    rotated = tmp_path / "rotated.png"
    source.transpose(Image.Transpose.ROTATE_270).save(rotated)
    tagged = tmp_path / "tagged.png"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    source.save(tagged, exif=exif)
    np.testing.assert_array_equal(decode(tagged, pre), decode(rotated, pre))

    grey = tmp_path / "grey.png"
    source.convert("L").save(grey)
    out = decode(grey, pre)
    assert out.shape == (16, 16, 3) and np.array_equal(out[..., 0], out[..., 1])
    cmyk = tmp_path / "cmyk.jpg"
    source.convert("CMYK").save(cmyk)
    assert decode(cmyk, pre).shape == (16, 16, 3)
    clear = tmp_path / "clear.png"
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(clear)  # transparent black -> white
    assert decode(clear, pre).min() == 255
    deep = tmp_path / "deep.png"
    Image.fromarray(np.full((20, 20), 40000, dtype=np.uint16)).save(deep)
    assert decode(deep, pre).shape == (16, 16, 3)


@pytest.mark.parametrize("which, message", [
    ("truncated", "damaged or truncated"), ("text", "not an image file"),
    ("bomb", "decompression-bomb limit")])
def test_bad_file_is_an_error_naming_it(model, bad_images: dict[str, Path], which: str,
                                        message: str):
    with pytest.raises(ImageDecodeError, match=message) as info:
        model.encode([bad_images[which]])
    assert info.value.path == str(bad_images[which])


def test_pixel_limit_refuses_before_decoding(bad_images: dict[str, Path],
                                             image_classes: Path):
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ImageDecodeError, match="decompression-bomb"):
        decode(bad_images["bomb"], Preprocess())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000  # 20000x20000 RGB would be 1.2 GB
    small = _paths(image_classes)[0]  # 40x30 = 1200 pixels
    with pytest.raises(ImageDecodeError, match="40x30 = 1200 pixels, over the 1000-pixel"):
        decode(small, Preprocess(), limit=1000)


def test_skip_bad_counts_and_leaves_out(model, image_classes: Path,
                                        bad_images: dict[str, Path]):
    good = _paths(image_classes)[:3]
    paths = [good[0], bad_images["truncated"], good[1], bad_images["text"],
             bad_images["bomb"], good[2]]
    assert sorted(find_bad(paths)) == [1, 3, 4]
    out = encode_images(model, paths, skip_bad=True, batch_size=2)
    assert out.kept == [0, 2, 5] and sorted(out.bad) == [1, 3, 4]
    assert out.stats.extra["skipped"] == 3
    np.testing.assert_allclose(out.vectors, model.encode(good), atol=1e-5)
    with pytest.raises(ImageDecodeError, match="cut.jpg"):
        encode_images(model, paths)
    with pytest.raises(EmbedlabError, match="none of the 2 images"):
        encode_images(model, [bad_images["text"], bad_images["bomb"]], skip_bad=True)


def test_bad_items(model, tmp_path: Path):
    with pytest.raises(EmbedlabError, match="image input 0 is int"):
        model.encode([3])
    with pytest.raises(EmbedlabError, match="is not a file"):
        model.encode([tmp_path / "missing.jpg"])
    with pytest.raises(EmbedlabError, match="not one string"):
        model.encode("photo.jpg")


def test_timm_without_its_packages_says_what_to_install():
    pytest.importorskip("torch")
    try:
        import timm  # noqa: F401
    except ImportError:
        with pytest.raises(ModelNotAvailableError, match="pip install timm"):
            load("resnet50", cache_dir=False)
    else:
        pytest.skip("timm imports here; its loading is covered where a hub is reachable")


@pytest.mark.real_model
def test_efficientnet_lite0_real_weights_recognise_t_shirts():
    """The packaged ImageNet weights through our preprocessing: most test t-shirts come out as
    ImageNet class 610 ("jersey, T-shirt") at the logits layer; top features are 1280-d."""
    folder = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "clothing10"
    if not folder.is_dir():
        pytest.skip("shared clothing10 data not found")
    try:
        top = load("efficientnet-lite0", cache_dir=False)
    except ModelNotAvailableError as exc:
        pytest.skip(str(exc))
    shirts = sorted((folder / "test" / "t-shirt").glob("*.jpg"))[:12]
    assert top.dim == 1280 and top.encode(shirts[:2]).shape == (2, 1280)
    logits = load("efficientnet-lite0", layer="logits", cache_dir=False)
    predicted = logits.encode(shirts, normalize=False).argmax(axis=1)
    assert (predicted == 610).sum() >= 8


def test_channels_last_gives_the_same_vectors(image_classes: Path):
    import copy

    import torch

    from embedlab.embedders.image import ImageEmbedder, efficientnet_lite

    torch.manual_seed(1)
    net = efficientnet_lite("efficientnet-lite0", width_coefficient=0.25,
                            depth_coefficient=0.1, image_size=32)
    paths = _paths(image_classes)[:6]
    vecs = {}
    for flag in (False, True):
        model = ImageEmbedder(copy.deepcopy(net), name="tiny", layer="_avg_pooling",
                              preprocess=Preprocess(size=32), channels_last=flag,
                              cache_dir=False)
        vecs[flag] = model.encode(paths, batch_size=4)
    np.testing.assert_allclose(vecs[True], vecs[False], atol=1e-4)
