"""Vector compression: fit on a sample, apply to new vectors, save and load, bytes per vector."""

from embedlab.compress.base import Compressor
from embedlab.compress.methods import load_compressor, parse_method, parse_methods

__all__ = ["Compressor", "load_compressor", "parse_method", "parse_methods"]
