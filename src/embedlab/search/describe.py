"""``embedlab index info``: what one generation of an index holds and how it is built.

In: the index folder and a generation's manifest. Out: a JSON-able summary (model, store,
counts, chunking, bytes on disk, and the ANN structure for faiss).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embedlab.search.model import short_key


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def manifest_info(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The ``embedlab index info`` summary of one generation."""
    store = manifest["store"]
    gen_dir = path / manifest["generation"]
    out: dict[str, Any] = {
        "path": str(path), "generation": manifest["generation"],
        "model": manifest["model"]["name"], "model_key": short_key(manifest["model"]["key"]),
        "dim": manifest["model"]["dim"], "backend": store["backend"], "kind": store["kind"],
        "documents": manifest["documents"], "chunks": manifest["chunks"],
        "chunking": manifest["chunking"], "fields": manifest.get("fields", []),
        "created": manifest.get("created"), "updated": manifest.get("updated"),
        "bytes_on_disk": _folder_bytes(gen_dir) if gen_dir.is_dir() else None,
    }
    if store["backend"] == "faiss":
        from embedlab.search.backends.faiss_store import describe

        out["structure"] = describe(store)
        out["deleted_rows"] = store.get("deleted", 0)
        rows = max(int(store.get("rows", 0)), 1)
        ann = store.get("ann_bytes")
        out["index_bytes_per_vector"] = round(ann / rows, 1) if ann else \
            {"flat": 4.0 * store["dim"], "binary": store["dim"] / 8}.get(store["structure"])
    else:
        where = store["location"].get("url") or "local mode"
        out["structure"] = f"Qdrant collection {store['collection']} ({where})"
    return out
