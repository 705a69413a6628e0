"""embedlab: encode, evaluate, fine-tune, compress, search, serve and monitor embeddings."""

from embedlab.embedders.base import BaseEmbedder, Embedder, EncodeResult, EncodeStats
from embedlab.errors import EmbedlabError, ModelNotAvailableError
from embedlab.named_models import DEFAULT_MODEL, list_models
from embedlab.registry import load, resolve
from embedlab.version import VERSION

__version__ = VERSION

__all__ = [
    "DEFAULT_MODEL",
    "BaseEmbedder",
    "Embedder",
    "EmbedlabError",
    "EncodeResult",
    "EncodeStats",
    "ModelNotAvailableError",
    "list_models",
    "load",
    "resolve",
]
