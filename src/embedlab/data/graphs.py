"""Graphs from the files people have: ``load_graph(source) -> Graph`` (a CSR adjacency + ids).

In: an edge list (TSV, CSV or whitespace-separated, SNAP ``a b`` files included; with or without
a header row; an optional third weight column; ``#``/``%`` comment lines), an adjacency list
(``node nbr nbr ...`` per line: ``.adjlist``, or ``fmt="adjlist"``), GraphML or GML (read by
networkx), a scipy ``.mat`` file (its ``network`` matrix, else its only sparse matrix) or an
``.npz`` adjacency (``scipy.sparse.save_npz``), a folder holding one of these (``edges.tsv``, ...),
or the name of a graph networkx builds (``karate``, ``les-miserables``, ``florentine-families``,
``davis-southern-women``). Out: a :class:`Graph`: node ids as strings (first-seen order; matrix
rows are named ``0..n-1``), a ``scipy.sparse.csr_matrix`` of float32 weights with sorted
neighbour lists, and counts of what was cleaned: self-loops are dropped, duplicate edges merged
(a weighted duplicate keeps its largest weight). Undirected graphs store both directions.

Edge lists are read line by line into compact int32 arrays of node numbers (a dict names each id
once), not through pandas: its import alone costs more memory than a small graph's walks, and
the columns are simple. The header guess is the first row naming a known column (``source``,
``target``, ``weight``, ...) or a non-numeric weight above numeric ones. Every layout problem is
one EmbedlabError line naming the file.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError

BUILTIN_GRAPHS = {"karate": "karate_club_graph", "karate-club": "karate_club_graph",
                  "les-miserables": "les_miserables_graph",
                  "florentine-families": "florentine_families_graph",
                  "davis-southern-women": "davis_southern_women_graph"}
FORMATS = ("auto", "edgelist", "adjlist", "graphml", "gml", "mat", "npz")
_HEADER_NAMES = {"source", "target", "src", "dst", "from", "to", "node", "node1", "node2",
                 "weight", "id1", "id2", "head", "tail",
                 "from_node", "to_node", "source_id", "target_id", "neighbor", "neighbour"}
_FOLDER_FILES = ("edges.tsv", "edges.csv", "edges.txt", "edgelist.txt", "graph.edgelist",
                 "graph.adjlist", "graph.graphml", "graph.gml", "graph.mat", "graph.npz")
_SUFFIX_FORMATS = {".adjlist": "adjlist", ".graphml": "graphml", ".gml": "gml", ".mat": "mat",
                   ".npz": "npz"}


@dataclass
class Graph:
    """A graph ready for walks: ``adj`` (n x n CSR, float32 weights, sorted rows) and ``ids``."""

    ids: list[str]
    adj: Any
    directed: bool
    weighted: bool
    name: str
    self_loops: int = 0
    duplicates: int = 0

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        """Edges as given: stored entries, halved for an undirected graph."""
        return int(self.adj.nnz if self.directed else self.adj.nnz // 2)

    def isolated(self) -> np.ndarray:
        """Rows of nodes with no edge in either direction."""
        out_deg = np.diff(self.adj.indptr)
        in_deg = np.bincount(self.adj.indices, minlength=self.n_nodes)
        return np.flatnonzero((out_deg == 0) & (in_deg == 0))

    def summary(self) -> dict[str, Any]:
        return {"graph": self.name, "nodes": self.n_nodes, "edges": self.n_edges,
                "directed": self.directed, "weighted": self.weighted,
                "isolated_nodes": int(len(self.isolated())),
                "self_loops_dropped": self.self_loops, "duplicate_edges_merged": self.duplicates}


def from_edges(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None, *,
               directed: bool, name: str, ids: list[str] | None = None,
               extra_nodes: list[str] | None = None) -> Graph:
    """A :class:`Graph` from edge endpoints: ``src``/``dst`` as id strings (``ids`` None) or as
    row numbers into ``ids``; ``extra_nodes`` are ids that have no edge (isolated nodes)."""
    from scipy import sparse

    if ids is None:
        index: dict[str, int] = {}
        codes = np.fromiter((index.setdefault(str(x), len(index)) for part in (src, dst)
                             for x in part), dtype=np.int64, count=len(src) + len(dst))
        ids = list(index)
        src_rows, dst_rows = codes[:len(src)], codes[len(src):]
    else:
        src_rows, dst_rows = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    if extra_nodes:
        known = set(ids)
        ids = ids + [n for n in dict.fromkeys(extra_nodes) if n not in known]
    n = len(ids)
    w = (np.ones(len(src_rows), dtype=np.float32) if weights is None
         else np.asarray(weights, dtype=np.float32))
    loops = src_rows == dst_rows
    src_rows, dst_rows, w = src_rows[~loops], dst_rows[~loops], w[~loops]
    given = len(src_rows)
    if not directed:
        src_rows, dst_rows = (np.concatenate([src_rows, dst_rows]),
                              np.concatenate([dst_rows, src_rows]))
        w = np.concatenate([w, w])
    key = src_rows.astype(np.int64) * n + dst_rows
    order = np.lexsort((-w, key))  # by edge, largest weight first
    key, w = key[order], w[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, w = key[first], w[first]
    kept = len(key) if directed else len(key) // 2
    adj = sparse.csr_matrix((w, (key // n, key % n)), shape=(n, n), dtype=np.float32)
    adj.sort_indices()
    return Graph(ids=ids, adj=adj, directed=directed, weighted=weights is not None, name=name,
                 self_loops=int(loops.sum()), duplicates=given - kept)


def _sniff(lines: list[str]) -> str | None:
    """The separator of an edge list: tab, comma, or None (any whitespace)."""
    if all("\t" in line for line in lines):
        return "\t"
    if all("," in line for line in lines):
        return ","
    return None


def _split(line: str, sep: str | None) -> list[str]:
    return [p.strip() for p in line.split(sep)] if sep else line.split()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_lines(path: Path, count: int = 20) -> list[str]:
    lines: list[str] = []
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.lstrip().startswith(("#", "%")):
                    lines.append(line.rstrip("\r\n"))
                    if len(lines) >= count:
                        break
    except UnicodeDecodeError:
        raise EmbedlabError(f"{path}: not UTF-8 text") from None
    return lines


def _has_header(rows: list[list[str]]) -> bool:
    first = rows[0]
    if any(re.sub(r"[\s\"']", "", c).lower() in _HEADER_NAMES for c in first[:3]):
        return True
    return (len(first) >= 3 and len(rows) > 1 and not _is_number(first[2])
            and len(rows[1]) >= 3 and _is_number(rows[1][2]))


def _parse_edges(path: Path, sep: str | None, header: bool, weighted: bool
                 ) -> tuple[list[str], array, array, array | None]:
    index: dict[str, int] = {}
    src, dst = array("i"), array("i")
    weights = array("f") if weighted else None
    skip = header
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text or text[0] in "#%":
                continue
            if skip:
                skip = False
                continue
            parts = text.split(sep) if sep else text.split()
            if len(parts) < 2 or not parts[1].strip():
                raise EmbedlabError(f"{path}: line {number} has one column; an edge needs two "
                                    "(source target [weight])")
            a, b = parts[0].strip(), parts[1].strip()
            row = index.get(a)
            src.append(index.setdefault(a, len(index)) if row is None else row)
            row = index.get(b)
            dst.append(index.setdefault(b, len(index)) if row is None else row)
            if weights is not None:
                raw = parts[2].strip() if len(parts) > 2 else ""
                try:
                    weights.append(float(raw) if raw else 1.0)
                except ValueError:
                    raise EmbedlabError(f"{path}: line {number}: weight {raw!r} is not a number "
                                        "(an edge list is: source target [weight])") from None
    return list(index), src, dst, weights


def read_edge_list(path: Path, *, directed: bool = False, name: str | None = None) -> Graph:
    """An edge list file (see the module docstring)."""
    lines = _first_lines(path)
    if not lines:
        raise EmbedlabError(f"{path}: empty graph file (no edges)")
    sep = _sniff(lines)
    rows = [_split(line, sep) for line in lines]
    header = _has_header(rows)
    data = rows[1:] if header else rows
    widths = {len(r) for r in data} or {len(rows[0])}
    if max(widths) < 2:
        raise EmbedlabError(f"{path}: one column; an edge list needs two (source target "
                            "[weight]), an adjacency list lines of 'node neighbour ...'")
    if max(widths) > 3 and len(widths) > 1:
        return read_adjacency_list(path, directed=directed, name=name)
    try:
        ids, src, dst, weights = _parse_edges(path, sep, header, max(widths) >= 3)
    except UnicodeDecodeError:
        raise EmbedlabError(f"{path}: not UTF-8 text") from None
    if not src:
        raise EmbedlabError(f"{path}: empty graph file (no edges)")
    w = None if weights is None else np.frombuffer(weights, dtype=np.float32)
    if w is not None and (w < 0).any():
        raise EmbedlabError(f"{path}: negative edge weights; walks need weights >= 0")
    return from_edges(np.frombuffer(src, dtype=np.int32), np.frombuffer(dst, dtype=np.int32), w,
                      directed=directed, name=name or path.stem, ids=ids)


def read_adjacency_list(path: Path, *, directed: bool = False,
                        name: str | None = None) -> Graph:
    """``node neighbour neighbour ...`` per line (whitespace, tab or comma separated)."""
    lines = _first_lines(path, count=10**12)
    if not lines:
        raise EmbedlabError(f"{path}: empty graph file (no nodes)")
    sep = _sniff(lines[:20])
    src: list[str] = []
    dst: list[str] = []
    alone: list[str] = []
    for line in lines:
        parts = [p for p in _split(line, sep) if p]
        if len(parts) == 1:
            alone.append(parts[0])
        for other in parts[1:]:
            src.append(parts[0])
            dst.append(other)
    if not src:
        raise EmbedlabError(f"{path}: no edges (every line names one node)")
    return from_edges(np.array(src, dtype=object), np.array(dst, dtype=object), None,
                      directed=directed, name=name or path.stem, extra_nodes=alone)


def from_networkx(graph: Any, *, directed: bool | None = None, name: str = "graph",
                  weight: str = "weight") -> Graph:
    """A networkx graph (ids become strings; a ``weight`` attribute is used where present)."""
    ids = [str(n) for n in graph.nodes]
    if len(set(ids)) != len(ids):
        raise EmbedlabError(f"{name}: two nodes have the same id as text")
    row = {n: i for i, n in enumerate(graph.nodes)}
    edges = list(graph.edges(data=True))
    weighted = any(weight in d for _, _, d in edges)
    src = np.array([row[a] for a, _, _ in edges], dtype=np.int64)
    dst = np.array([row[b] for _, b, _ in edges], dtype=np.int64)
    w = np.array([float(d.get(weight, 1.0)) for _, _, d in edges], dtype=np.float32) \
        if weighted else None
    is_directed = graph.is_directed() if directed is None else directed
    return from_edges(src, dst, w, directed=is_directed, name=name, ids=ids)


def from_matrix(matrix: Any, *, directed: bool = False, name: str = "graph",
                ids: list[str] | None = None) -> Graph:
    """A square (sparse or dense) adjacency matrix; rows are named ``0..n-1`` unless ``ids``."""
    from scipy import sparse

    coo = sparse.coo_matrix(matrix)
    if coo.shape[0] != coo.shape[1]:
        raise EmbedlabError(f"{name}: adjacency matrix is {coo.shape[0]}x{coo.shape[1]}, "
                            "not square")
    names = ids or [str(i) for i in range(coo.shape[0])]
    weighted = bool(coo.nnz) and not np.all(coo.data == 1)
    return from_edges(coo.row, coo.col, coo.data if weighted else None, directed=directed,
                      name=name, ids=names)


def read_mat(path: Path, *, directed: bool = False, key: str = "network") -> Graph:
    """A MATLAB file's adjacency: its ``network`` variable, else its only sparse matrix."""
    from scipy import io, sparse

    try:
        data = io.loadmat(str(path))
    except (ValueError, OSError, TypeError) as exc:
        raise EmbedlabError(f"{path}: cannot read as a .mat file: {exc}") from None
    if key not in data:
        found = [k for k, v in data.items() if sparse.issparse(v)]
        if len(found) != 1:
            raise EmbedlabError(f"{path}: no {key!r} matrix (variables: "
                                f"{', '.join(k for k in data if not k.startswith('__'))})")
        key = found[0]
    return from_matrix(data[key], directed=directed, name=path.stem)


def _read_file(path: Path, fmt: str, directed: bool) -> Graph:
    import networkx as nx

    if fmt == "auto":
        fmt = _SUFFIX_FORMATS.get(path.suffix.lower(), "edgelist")
    if path.stat().st_size == 0:
        raise EmbedlabError(f"{path}: empty graph file")
    if fmt == "edgelist":
        return read_edge_list(path, directed=directed)
    if fmt == "adjlist":
        return read_adjacency_list(path, directed=directed)
    if fmt == "mat":
        return read_mat(path, directed=directed)
    if fmt == "npz":
        from scipy import sparse

        try:
            matrix = sparse.load_npz(path)
        except (ValueError, OSError, KeyError) as exc:
            raise EmbedlabError(f"{path}: not a scipy sparse .npz matrix: {exc}") from None
        return from_matrix(matrix, directed=directed, name=path.stem)
    try:
        if fmt == "graphml":
            graph = nx.read_graphml(path)
        else:
            try:
                graph = nx.read_gml(path)  # nodes named by their label
            except nx.NetworkXError:
                graph = nx.read_gml(path, label="id")  # no labels: by id
    except (nx.NetworkXError, ValueError, SyntaxError, OSError) as exc:
        raise EmbedlabError(f"{path}: cannot read as {fmt}: {exc}") from None
    return from_networkx(graph, directed=directed or None, name=path.stem)


def load_graph(source: str | Path, *, directed: bool = False, fmt: str = "auto") -> Graph:
    """A :class:`Graph` from a file, a folder holding one, or a networkx graph name."""
    if fmt not in FORMATS:
        raise EmbedlabError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(str(source)).expanduser()
    if path.is_dir():
        found = [path / f for f in _FOLDER_FILES if (path / f).is_file()]
        if not found:
            raise EmbedlabError(f"{path}: no graph file in this folder (looked for "
                                f"{', '.join(_FOLDER_FILES)})")
        graph = _read_file(found[0], fmt, directed)
        graph.name = path.name
        return graph
    if path.is_file():
        return _read_file(path, fmt, directed)
    key = str(source).strip().lower().replace("_", "-")
    if key in BUILTIN_GRAPHS:
        import networkx as nx

        graph = getattr(nx, BUILTIN_GRAPHS[key])()
        return from_networkx(graph, directed=directed or None, name=key)
    raise EmbedlabError(f"graph {source}: no such file or folder, and not a graph networkx "
                        f"builds ({', '.join(sorted(BUILTIN_GRAPHS))})")
