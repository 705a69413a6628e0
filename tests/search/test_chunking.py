from __future__ import annotations

import pytest
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from embedlab.embedders.base import BaseEmbedder
from embedlab.errors import EmbedlabError
from embedlab.search.chunking import Chunker, ChunkSpec, chunk_spec


def _tokenizer() -> Tokenizer:
    """WordPiece that splits every word into single-letter pieces (so words span tokens)."""
    letters = list("abcdefghijklmnopqrstuvwxyz0123456789")
    vocab = {t: i for i, t in enumerate(["[UNK]", "[CLS]", "[SEP]", *letters,
                                          *("##" + c for c in letters)])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
    return tok


class _StandIn(BaseEmbedder):
    """Chunking reads only the contract's ``tokenizer``, ``window`` and ``reserved_tokens``."""

    name, dim = "stand-in", 4

    def __init__(self) -> None:
        super().__init__(cache_dir=False)

    def _prepare(self, texts, kind):
        return texts

    def _embed_items(self, items, kind):
        raise NotImplementedError


class TokenModel(_StandIn):
    def __init__(self, window: int = 20, prompt: str = "") -> None:
        super().__init__()
        self.tokenizer = _tokenizer()
        self.window = window
        self.prompts = {"document": prompt} if prompt else {}

    def reserved_tokens(self, kind="document") -> int:
        """As the tokenized backends count it: the prompt with the special tokens."""
        prompt = self.prompts.get(kind, "")
        return len(self.tokenizer.encode(prompt, add_special_tokens=True).ids)


class WordModel(_StandIn):
    window = None


TEXT = "alpha be cee delta echo fox golf hotel india jay kilo lima mike november oscar papa"


def test_token_chunks_are_slices_within_size_and_never_cut_a_word():
    model = TokenModel()
    chunker = Chunker(ChunkSpec("tokens", 12, 4), model.tokenizer)
    chunks = chunker.chunks(["d"], [TEXT])
    assert len(chunks) > 2
    words = set(TEXT.split())
    for i, c in enumerate(chunks):
        assert c.number == i and c.doc_id == "d"
        assert TEXT[c.start:c.end] == c.text
        n_tokens = len(model.tokenizer.encode(c.text, add_special_tokens=False).ids)
        assert n_tokens <= 12
        assert all(w in words for w in c.text.split())  # whole words only
    assert chunks[0].start == 0 and chunks[-1].end == len(TEXT)
    # neighbours overlap by a word or more (unless one word fills the overlap), leave no gap,
    # and together cover every word in order
    pairs = list(zip(chunks, chunks[1:], strict=False))
    assert all(a.start < b.start <= a.end + 1 for a, b in pairs)
    assert sum(b.start < a.end for a, b in pairs) >= len(pairs) - 2
    covered = " ".join(c.text for c in chunks).split()
    assert list(dict.fromkeys(covered)) == TEXT.split()


def test_overlap_zero_tiles_the_text():
    model = TokenModel()
    chunks = Chunker(ChunkSpec("tokens", 10, 0), model.tokenizer).chunks(["d"], [TEXT])
    assert " ".join(c.text for c in chunks) == TEXT


def test_short_and_empty_texts_are_one_chunk():
    chunker = Chunker(ChunkSpec("tokens", 50, 5), _tokenizer())
    chunks = chunker.chunks(["a", "b"], ["  short text ", ""])
    assert [(c.doc_id, c.text) for c in chunks] == [("a", "  short text "), ("b", "")]


def test_word_longer_than_a_chunk_is_cut_rather_than_looping():
    chunks = Chunker(ChunkSpec("tokens", 4, 1), _tokenizer()).chunks(["d"], ["abcdefghij k"])
    assert len(chunks) >= 3
    assert chunks[-1].end == len("abcdefghij k")


def test_words_fallback_and_whole_documents():
    text = " ".join(f"w{i}" for i in range(25))
    words = Chunker(ChunkSpec("words", 10, 2), None).chunks(["d"], [text])
    assert [len(c.text.split()) for c in words] == [10, 10, 9]
    assert words[1].text.split()[0] == "w8"
    whole = Chunker(ChunkSpec("none", 0, 0), None).chunks(["d"], [text])
    assert [c.text for c in whole] == [text]


def test_default_spec_fills_the_window_minus_specials_and_prompt():
    assert chunk_spec(TokenModel(window=20)) == ChunkSpec("tokens", 18, 2)
    # "passage" is 7 single-letter pieces, plus [CLS] and [SEP]
    assert chunk_spec(TokenModel(window=40, prompt="passage")).size == 40 - 9
    assert chunk_spec(WordModel()) == ChunkSpec("words", 200, 25)
    assert chunk_spec(TokenModel(), 0).unit == "none"
    assert chunk_spec(TokenModel(), 16, 3) == ChunkSpec("tokens", 16, 3)


@pytest.mark.parametrize(("size", "overlap"), [(-1, None), (10, 10), (10, -1)])
def test_bad_sizes_are_refused(size, overlap):
    with pytest.raises(EmbedlabError):
        chunk_spec(TokenModel(), size, overlap)


def test_a_real_transformer_model_chunks_by_its_own_tokens(tiny_st_model):
    from embedlab.registry import load

    model = load(str(tiny_st_model))
    spec = chunk_spec(model)
    assert spec.unit == "tokens" and spec.size == model.window - 2  # [CLS] and [SEP]
    text = " ".join(["the man plays guitar in the park"] * 20)
    chunks = Chunker(spec, model.tokenizer).chunks(["d"], [text])
    assert len(chunks) > 1
    assert all(len(model.tokenizer.encode(c.text).ids) <= model.window for c in chunks)
