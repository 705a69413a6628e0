"""Shared fixtures: tiny random models built on the fly, so most tests need no real weights.

- ``tiny_st_model``: a 2-layer BERT (dim 32) saved in the sentence-transformers layout;
- ``tiny_decoder``: a 2-layer Llama (dim 32) with a byte-level-free word tokenizer and EOS;
- ``tiny_glove``: a GloVe-format text file of a few words.
Real-model tests are marked ``real_model`` and read models from installed packages.
"""

from __future__ import annotations

import string
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
WORDS = ("the a of and to in is was for on man woman guitar playing plays onion slicing dog "
         "cat runs park music food cooking car road fast slow red blue").split()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own empty vector cache."""
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _wordpiece_tokenizer():
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = list(string.ascii_lowercase + string.digits)
    vocab_list = specials + list(WORDS) + pieces + ["##" + p for p in pieces] + list(".,!?'")
    vocab = {tok: i for i, tok in enumerate(dict.fromkeys(vocab_list))}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]),
                                                 ("[SEP]", vocab["[SEP]"])])
    return tok, len(vocab)


@pytest.fixture(scope="session")
def tiny_hf_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT in the plain Hugging Face layout."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    tok, size = _wordpiece_tokenizer()
    torch.manual_seed(0)
    config = BertConfig(vocab_size=size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(config).eval().save_pretrained(folder)
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                            cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                            model_max_length=64).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory, tiny_hf_bert: Path) -> Path:
    """The tiny BERT saved by sentence-transformers (Transformer -> mean Pooling), window 32."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models

    folder = tmp_path_factory.mktemp("tiny-st")
    transformer = models.Transformer(str(tiny_hf_bert), max_seq_length=32)
    pooling = models.Pooling(32, "mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_decoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama with a word-level tokenizer that knows an EOS token."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    vocab = {t: i for i, t in enumerate(["<unk>", "<eos>", *WORDS, *string.ascii_lowercase])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, intermediate_size=64,
                         max_position_embeddings=128, eos_token_id=1)
    LlamaModel(config).eval().save_pretrained(folder)
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>",
                            eos_token="<eos>").save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_glove(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GloVe text format (no header): ``word v1 v2 ...`` with 8 dimensions."""
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("glove") / "tiny.glove.txt"
    lines = [w + " " + " ".join(f"{x:.5f}" for x in rng.normal(size=8)) for w in WORDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def stsb_sentences() -> list[str]:
    """Unique sentences of the STS-B test split (real data; the test is skipped without it)."""
    import csv
    import gzip

    path = DATASETS / "stsb-en" / "stsbenchmark.tsv.gz"
    if not path.is_file():
        pytest.skip("shared STS-B data not found")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = rows[0]
    split, s1, s2 = header.index("split"), header.index("sentence1"), header.index("sentence2")
    test = [r for r in rows[1:] if r[split] == "test"]
    return list(dict.fromkeys([r[s1] for r in test] + [r[s2] for r in test]))


@pytest.fixture
def tiny_corpus() -> dict[str, str]:
    """Five short documents on five topics, by id (BM25 and retrieval tests)."""
    return {
        "d1": "Cats purr when they are happy",
        "d2": "Dogs bark at the postman every morning",
        "d3": "The stock market fell sharply on Monday",
        "d4": "Volcanoes erupt molten lava and ash",
        "d5": "Photosynthesis turns sunlight into sugar in plants",
    }


#: the synthetic recommendation data: item cluster words and genres (cluster = index % 2)
REC_WORDS = (("guitar", "music", "playing", "plays"), ("dog", "cat", "runs", "park"))
REC_GENRES = ("Music|Band", "Animal|Pets")


@pytest.fixture(scope="session")
def rec_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(interactions.csv, items.csv)``: 48 items in two clusters (music: even, animals: odd;
    the last 8 without interactions), 30 users who each like 8 items of their cluster (user
    index % 2) and rate one item of the other cluster 1."""
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("rec")
    items = ["item,title,genres"]
    for i in range(48):
        words = rng.choice(REC_WORDS[i % 2], 2, replace=False)
        items.append(f"i{i:02d},the {words[0]} {words[1]},{REC_GENRES[i % 2]}")
    rows = ["user,item,rating,timestamp"]
    t = 0
    for u in range(30):
        own = [i for i in range(40) if i % 2 == u % 2]
        for i in rng.choice(own, 8, replace=False):
            t += 1
            rows.append(f"u{u:02d},i{i:02d},{rng.integers(4, 6)},{t}")
        t += 1
        rows.append(f"u{u:02d},i{(u + 1) % 2 + 2 * rng.integers(0, 20):02d},1,{t}")
    (folder / "interactions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "items.csv").write_text("\n".join(items) + "\n", encoding="utf-8")
    return folder / "interactions.csv", folder / "items.csv"


@pytest.fixture(scope="session")
def tiny_image_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random EfficientNet-lite (32-px input, few blocks) saved as an image-model folder:
    the real architecture and loading code, seconds to build and run."""
    import torch

    from embedlab.embedders.image import efficientnet_lite, save_efficientnet_lite

    overrides = {"width_coefficient": 0.25, "depth_coefficient": 0.1, "image_size": 32,
                 "num_classes": 10}
    torch.manual_seed(0)
    model = efficientnet_lite("efficientnet-lite0", **overrides)
    return save_efficientnet_lite(model, tmp_path_factory.mktemp("tiny-effnet") / "model",
                                  overrides=overrides)


COLOURS = {"red": (200, 30, 30), "green": (30, 180, 40), "blue": (30, 40, 200)}


def write_image(path: Path, colour: tuple[int, int, int], seed: int, size: tuple[int, int]
                = (40, 30)) -> Path:
    """A noisy image of one colour (a stripe in its complement makes each one distinct)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour)[None, None, :] + rng.normal(0, 20, (size[1], size[0], 3)),
                     0, 255).astype(np.uint8)
    row = int(rng.integers(0, size[1] - 4))
    pixels[row:row + 3] = 255 - np.array(colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


@pytest.fixture(scope="session")
def image_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``{train,test}/<colour>/*.jpg|png``: 3 classes, 6 train and 3 test images each."""
    root = tmp_path_factory.mktemp("images")
    seed = 0
    for split, count in (("train", 6), ("test", 3)):
        for name, colour in COLOURS.items():
            for i in range(count):
                suffix = "png" if i % 3 == 2 else "jpg"
                write_image(root / split / name / f"{name}{i}.{suffix}", colour, seed)
                seed += 1
    return root



def truncated_jpeg(path: Path, good: Path) -> Path:
    """The first half of a good JPEG: the header reads, the pixels run out."""
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def text_as_jpg(path: Path) -> Path:
    path.write_text("this is not an image\n", encoding="utf-8")
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb_png(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no pixel data:
    a few hundred bytes on disk, nothing allocated unless a decoder believes the header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels)
                     + _chunk(b"IEND", b""))
    return path


@pytest.fixture
def bad_images(tmp_path: Path, image_classes: Path) -> dict[str, Path]:
    """One of each bad file, in its own folder: ``truncated``, ``text``, ``bomb``."""
    good = next((image_classes / "train" / "red").glob("*.jpg"))
    folder = tmp_path / "bad"
    folder.mkdir()
    return {"truncated": truncated_jpeg(folder / "cut.jpg", good),
            "text": text_as_jpg(folder / "notes.jpg"),
            "bomb": bomb_png(folder / "bomb.png")}
