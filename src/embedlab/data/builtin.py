"""Well-known evaluation sets that installed packages ship, found by name without a download.

In: a data set name (``wordsim353``, ``simlex999``, ``google-analogies``, ``lee`` or an alias).
Out: the paths of its files inside gensim's test data, or None for an unknown name; a known set
whose package is missing raises :class:`EmbedlabError` saying what to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from embedlab.errors import EmbedlabError


def gensim_test_data() -> Path | None:
    """gensim's ``test/test_data`` folder, found without importing gensim."""
    try:
        spec = importlib.util.find_spec("gensim")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data"
    return folder if folder.is_dir() else None


#: name -> (task kinds it suits, file(s) inside gensim's test data)
BUILTIN_DATASETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "wordsim353": (("word-similarity",), ("wordsim353.tsv",)),
    "simlex999": (("word-similarity",), ("simlex999.txt",)),
    "google-analogies": (("analogy",), ("questions-words.txt",)),
    "lee": (("doc-similarity", "geometry"), ("lee.cor", "similarities0-1.txt")),
}
BUILTIN_ALIASES = {"questions-words": "google-analogies", "ws353": "wordsim353",
                   "simlex": "simlex999", "wordsim": "wordsim353", "analogies": "google-analogies"}


def builtin_files(name: str) -> tuple[Path, ...] | None:
    """The files of a well-known data set shipped by an installed package, or None."""
    key = BUILTIN_ALIASES.get(name.lower(), name.lower())
    if key not in BUILTIN_DATASETS:
        return None
    folder = gensim_test_data()
    if folder is None:
        raise EmbedlabError(f"data set {name!r} ships with gensim, which is not installed: "
                            "pip install gensim")
    files = tuple(folder / f for f in BUILTIN_DATASETS[key][1])
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise EmbedlabError(f"{missing[0]}: not found in this gensim installation")
    return files
