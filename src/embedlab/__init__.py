"""embedlab: encode, evaluate, fine-tune, compress, search, serve and monitor embeddings."""

from embedlab.embedders.base import BaseEmbedder, Embedder, EncodeResult, EncodeStats
from embedlab.errors import EmbedlabError, ModelNotAvailableError
from embedlab.registry import list_models, load

__version__ = "0.1.0"

__all__ = [
    "BaseEmbedder",
    "Embedder",
    "EmbedlabError",
    "EncodeResult",
    "EncodeStats",
    "ModelNotAvailableError",
    "list_models",
    "load",
]
