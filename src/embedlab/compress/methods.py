"""Compression methods by name: method strings -> fresh compressors, and saved ones loaded.

Methods are named by strings such as ``int8``, ``binary:rescore=4``, ``pca:128``, ``whiten``,
``whiten:256``, ``mrl:128``, ``fp16`` (``NAME[:ARG][:KEY=VALUE]``); ``parse_methods("int8,
pca:128")`` gives one fresh compressor per name. :func:`load_compressor` reads a file that
:meth:`~embedlab.compress.base.Compressor.save` wrote (its header names the method). This factory
is kept apart from the interface (:mod:`.base`) so that the methods can import the interface
without a cycle.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from embedlab.compress.base import Compressor
from embedlab.compress.quantize import BinaryQuantizer, Float16, Float32, ScalarQuantizer
from embedlab.compress.reduce import Matryoshka, Pca, Whitening
from embedlab.errors import EmbedlabError


def load_compressor(path: str | Path) -> Compressor:
    """A compressor saved by :meth:`Compressor.save`."""
    path = Path(path)
    if not path.is_file():
        raise EmbedlabError(f"{path}: compressor file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["__header__"]))
            state = {k: data[k] for k in data.files if k != "__header__"}
    except (ValueError, KeyError, OSError) as exc:
        raise EmbedlabError(f"{path}: not a saved compressor ({exc})") from None
    compressor = parse_method(header["spec"])
    compressor.dim = header["dim"]
    compressor._set_state(state)
    return compressor


def _split_spec(text: str) -> tuple[str, list[str], dict[str, str]]:
    name, _, rest = text.strip().partition(":")
    args, kwargs = [], {}
    for part in filter(None, (p.strip() for p in rest.split(":"))):
        if "=" in part:
            k, _, v = part.partition("=")
            kwargs[k.strip()] = v.strip()
        else:
            args.append(part)
    return name.strip().lower(), args, kwargs


def _positive_int(value: str, spec: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise EmbedlabError(f"method {spec!r}: {what} must be a whole number, not {value!r}") \
            from None
    if number < 1:
        raise EmbedlabError(f"method {spec!r}: {what} must be at least 1, got {number}")
    return number


def parse_method(spec: str) -> Compressor:
    """One compressor from a method string (see the module docstring for the grammar)."""
    name, args, kwargs = _split_spec(spec)
    allowed_kwargs = {"binary": {"rescore"}}.get(name, set())
    unknown = set(kwargs) - allowed_kwargs
    if unknown:
        raise EmbedlabError(f"method {spec!r}: unknown option(s) {sorted(unknown)}")
    needs_k = {"pca", "mrl", "matryoshka"}
    takes_k = needs_k | {"whiten"}
    if name in needs_k and len(args) != 1:
        raise EmbedlabError(f"method {spec!r}: give the dimension, e.g. {name}:128")
    if (name not in takes_k and args) or len(args) > 1:
        raise EmbedlabError(f"method {spec!r}: unexpected argument(s) {args}")
    k = _positive_int(args[0], spec, "the dimension") if args else None
    if name in {"fp32", "float32"}:
        return Float32()
    if name in {"fp16", "float16"}:
        return Float16()
    if name in {"int8", "uint8"}:
        return ScalarQuantizer(signed=name == "int8")
    if name == "binary":
        rescore = _positive_int(kwargs.get("rescore", "4"), spec, "rescore")
        return BinaryQuantizer(rescore=rescore)
    if name == "pca":
        return Pca(k)  # type: ignore[arg-type]
    if name == "whiten":
        return Whitening(k)
    if name in {"mrl", "matryoshka"}:
        return Matryoshka(k)  # type: ignore[arg-type]
    raise EmbedlabError(f"unknown compression method {spec!r}; expected float32, fp16, int8, "
                        "uint8, binary[:rescore=N], pca:K, whiten[:K], mrl:K")


def parse_methods(text: str) -> list[Compressor]:
    """Compressors for a comma-separated list of method strings."""
    specs = [s for s in (p.strip() for p in text.split(",")) if s]
    if not specs:
        raise EmbedlabError("no compression methods given")
    return [parse_method(s) for s in specs]
