"""Backends: each turns texts into vectors through the shared path in ``base``."""

from embedlab.embedders.base import BaseEmbedder, Embedder, EncodeResult, EncodeStats

__all__ = ["BaseEmbedder", "Embedder", "EncodeResult", "EncodeStats"]
