"""Task data for node embeddings: node labels and link-prediction pairs.

``load_node_labels(path)``: a ``node<TAB>label`` file (tab, comma or whitespace separated; a
header row like ``node label`` is skipped; several labels per node as ``a|b``, or as repeated
rows), a folder holding ``labels.tsv`` / ``labels.csv`` / ``labels.txt`` / ``group.tsv``, or a
``.mat`` file with a ``group`` matrix (nodes x labels, rows named ``0..n-1`` as in
:func:`embedlab.data.graphs.read_mat`). Out: :class:`NodeLabels`.

``load_link_pairs(path)``: a folder written by ``embedlab train-graph --holdout-edges`` (its
``link_split.tsv``) or a file of ``source target label [split]`` rows (label 1 = edge, 0 = not;
split ``train`` or ``test``, default test). Out: :class:`LinkPairs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from embedlab.errors import EmbedlabError

LINK_SPLIT = "link_split.tsv"
_LABEL_FILES = ("labels.tsv", "labels.csv", "labels.txt", "group.tsv")
_LABEL_HEADERS = {"node", "id", "node_id", "nodeid", "vertex"}


@dataclass
class NodeLabels:
    """Labels of nodes: ``labels[i]`` (one or more) belong to node ``ids[i]``."""

    name: str
    ids: list[str]
    labels: list[list[str]]

    @property
    def multi_label(self) -> bool:
        return any(len(ls) > 1 for ls in self.labels)


@dataclass
class LinkPairs:
    """Node pairs with a 0/1 label (edge or not), split into ``train`` and ``test`` rows."""

    name: str
    pairs: list[tuple[str, str]]
    labels: list[int]
    splits: list[str] = field(default_factory=list)


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise EmbedlabError(f"{path}: not UTF-8 text") from None
    return [line for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _fields(line: str) -> list[str]:
    for sep in ("\t", ","):
        if sep in line:
            return [p.strip() for p in line.split(sep)]
    return line.split()


def _label_matrix(path: Path) -> NodeLabels:
    from scipy import io, sparse

    try:
        data = io.loadmat(str(path))
    except (ValueError, OSError, TypeError) as exc:
        raise EmbedlabError(f"{path}: cannot read as a .mat file: {exc}") from None
    if "group" not in data:
        raise EmbedlabError(f"{path}: no 'group' label matrix")
    groups = sparse.csr_matrix(data["group"])
    ids, labels = [], []
    for row in range(groups.shape[0]):
        cols = groups.indices[groups.indptr[row]:groups.indptr[row + 1]]
        if len(cols):
            ids.append(str(row))
            labels.append([str(c) for c in sorted(cols)])
    if not ids:
        raise EmbedlabError(f"{path}: the 'group' matrix labels no node")
    return NodeLabels(path.stem, ids, labels)


def load_node_labels(path: str | Path) -> NodeLabels:
    """Node labels from a file, a folder or a ``.mat`` ``group`` matrix (module docstring)."""
    path = Path(path).expanduser()
    name = path.name
    if path.is_dir():
        found = [path / f for f in _LABEL_FILES if (path / f).is_file()]
        if not found:
            raise EmbedlabError(f"{path}: no labels file in this folder (looked for "
                                f"{', '.join(_LABEL_FILES)})")
        path = found[0]
    elif not path.is_file():
        raise EmbedlabError(f"{path}: no such labels file or folder")
    if path.suffix == ".mat":
        return _label_matrix(path)
    lines = _lines(path)
    if not lines:
        raise EmbedlabError(f"{path}: empty labels file")
    rows = [_fields(line) for line in lines]
    if rows[0][0].lower() in _LABEL_HEADERS:
        rows = rows[1:]
    merged: dict[str, list[str]] = {}
    for number, row in enumerate(rows, 1):
        parts = [p for p in row if p]
        if len(parts) < 2:
            raise EmbedlabError(f"{path}: row {number} has no label; expected node<TAB>label "
                                "('|' between several labels)")
        labels = merged.setdefault(parts[0], [])
        for part in parts[1:]:
            labels.extend(x.strip() for x in part.split("|") if x.strip())
    if not merged:
        raise EmbedlabError(f"{path}: no labelled nodes")
    return NodeLabels(name, list(merged), [list(dict.fromkeys(v)) for v in merged.values()])


def load_link_pairs(path: str | Path) -> LinkPairs:
    """Labelled node pairs for link prediction (module docstring)."""
    path = Path(path).expanduser()
    name = path.name
    if path.is_dir():
        if not (path / LINK_SPLIT).is_file():
            raise EmbedlabError(f"{path}: no {LINK_SPLIT}; train with `embedlab train-graph "
                                "--holdout-edges 0.5` to write one, or give a pairs file")
        path = path / LINK_SPLIT
    elif not path.is_file():
        raise EmbedlabError(f"{path}: no such file or folder")
    rows = [_fields(line) for line in _lines(path)]
    if rows and rows[0][-1].lower() in {"label", "split"}:
        rows = rows[1:]
    if not rows:
        raise EmbedlabError(f"{path}: no node pairs")
    pairs, labels, splits = [], [], []
    for number, row in enumerate(rows, 1):
        if len(row) < 3 or row[2] not in {"0", "1"}:
            raise EmbedlabError(f"{path}: row {number}: expected source, target, label (0 or "
                                "1) and an optional split (train/test)")
        split = row[3].lower() if len(row) > 3 else "test"
        if split not in {"train", "test"}:
            raise EmbedlabError(f"{path}: row {number}: split {row[3]!r} is not train or test")
        pairs.append((row[0], row[1]))
        labels.append(int(row[2]))
        splits.append(split)
    test = [lab for lab, s in zip(labels, splits, strict=True) if s == "test"]
    if len(set(test)) < 2:
        raise EmbedlabError(f"{path}: the test pairs need both edges (1) and non-edges (0)")
    return LinkPairs(name, pairs, labels, splits)
