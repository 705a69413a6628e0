"""Tasks as users name them: ``KIND:PATH`` -> a loaded data set and its evaluator.

``parse_task("sts:data/stsbenchmark.tsv.gz", split="test")`` reads the file (any layout error
is an EmbedlabError naming the file) and returns a :class:`Task`; ``task.evaluator()`` builds
the evaluator to call with a model. Kinds: sts, retrieval, classification, clustering,
pair-classification, word-similarity, analogy, geometry, doc-similarity, and for node models
node-classification and node-clustering (PATH: a ``node<TAB>label`` file, a folder with
``labels.tsv``, a ``.mat`` with a ``group`` matrix) and link-prediction (PATH: a folder written
by ``train-graph --holdout-edges``, or a ``source target label [split]`` file);
recommendation (PATH: interactions, see :mod:`embedlab.evaluate.recommendation`); and on
image files image-classification, image-retrieval, image-clustering (classification, clustering or
retrieval given a folder of images means the image kind), and text-image-retrieval on captioned
images (a joint model).

PATH is a file or folder, or a data set that an installed package ships (gensim's test data):
``wordsim353``, ``simlex999``, ``google-analogies`` and ``lee`` (the Lee et al. 2005 corpus with
its human document similarities, for doc-similarity or geometry). doc-similarity also takes
``DOCUMENTS,MATRIX`` (one document per line; a square matrix of similarities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedlab.data.builtin import BUILTIN_ALIASES, BUILTIN_DATASETS, builtin_files
from embedlab.data.captions import load_captioned
from embedlab.data.datasets import TextSet
from embedlab.data.graph_tasks import load_link_pairs, load_node_labels
from embedlab.data.image_sets import (
    load_image_classification,
    load_labelled_images,
    looks_like_images,
)
from embedlab.data.labelled import load_classification, load_labelled_texts
from embedlab.data.pairs import load_document_similarity, load_pairs, load_sts
from embedlab.data.retrieval_sets import load_retrieval
from embedlab.data.text_sets import load_text_set
from embedlab.data.words import load_analogies, load_word_pairs
from embedlab.errors import EmbedlabError
from embedlab.evaluate.analogy import AnalogyEvaluator
from embedlab.evaluate.base import Evaluator
from embedlab.evaluate.classification import ClassificationEvaluator
from embedlab.evaluate.clustering import ClusteringEvaluator
from embedlab.evaluate.geometry import GeometryEvaluator
from embedlab.evaluate.images import (
    ImageClassificationEvaluator,
    ImageClusteringEvaluator,
    ImageRetrievalEvaluator,
)
from embedlab.evaluate.link_prediction import LinkPredictionEvaluator
from embedlab.evaluate.node_classification import NodeClassificationEvaluator
from embedlab.evaluate.node_clustering import NodeClusteringEvaluator
from embedlab.evaluate.pair_classification import PairClassificationEvaluator
from embedlab.evaluate.recommendation import RecommendationEvaluator, RecommendationSet
from embedlab.evaluate.retrieval import RetrievalEvaluator
from embedlab.evaluate.sts import DocumentSimilarityEvaluator, STSEvaluator
from embedlab.evaluate.text_image import TextImageRetrievalEvaluator
from embedlab.evaluate.word_similarity import WordSimilarityEvaluator

EVALUATORS: dict[str, type[Evaluator]] = {
    cls.kind: cls for cls in (
        STSEvaluator, RetrievalEvaluator, ClassificationEvaluator, ClusteringEvaluator,
        PairClassificationEvaluator, WordSimilarityEvaluator, AnalogyEvaluator,
        GeometryEvaluator, DocumentSimilarityEvaluator, NodeClassificationEvaluator,
        NodeClusteringEvaluator, LinkPredictionEvaluator,
        RecommendationEvaluator, ImageClassificationEvaluator,
        ImageRetrievalEvaluator, ImageClusteringEvaluator, TextImageRetrievalEvaluator)
}
KINDS = tuple(EVALUATORS)
ALIASES = {
    "pair": "pair-classification", "pairs": "pair-classification",
    "pair-class": "pair-classification", "wordsim": "word-similarity",
    "word-sim": "word-similarity", "docsim": "doc-similarity",
    "document-similarity": "doc-similarity", "ir": "retrieval", "analogies": "analogy",
    "cluster": "clustering", "classify": "classification",
    "node-class": "node-classification", "nodes": "node-classification",
    "link": "link-prediction", "links": "link-prediction", "lp": "link-prediction",
    "node-cluster": "node-clustering",
    "recommend": "recommendation", "recsys": "recommendation",
    "image-classify": "image-classification", "image-cluster": "image-clustering",
}
#: kinds whose data are node ids and labels or pairs, read by :mod:`embedlab.data.graph_tasks`
NODE_KINDS = {"node-classification": load_node_labels, "node-clustering": load_node_labels,
              "link-prediction": load_link_pairs}
#: a text kind given a folder of images means its image kind
IMAGE_KIND_OF = {"classification": "image-classification", "clustering": "image-clustering",
                 "retrieval": "image-retrieval"}


@dataclass
class Task:
    """One data set, loaded, for one task kind."""

    kind: str
    dataset: str
    data: Any
    spec: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``kind:dataset``, e.g. ``sts:stsbenchmark/test``."""
        return f"{self.kind}:{self.dataset}"

    @property
    def primary_metric(self) -> str:
        """The name of the main score of this kind of task."""
        return EVALUATORS[self.kind].primary_metric

    def evaluator(self, *, batch_size: int = 32, progress: bool = False) -> Evaluator:
        """A fresh evaluator for this data set."""
        cls: Callable[..., Evaluator] = EVALUATORS[self.kind]
        return cls(self.data, batch_size=batch_size, progress=progress, **self.options)


def _kind(name: str, spec: str) -> str:
    key = name.strip().lower().replace("_", "-")
    key = ALIASES.get(key, key)
    if key not in EVALUATORS:
        raise EmbedlabError(f"task {spec!r}: unknown kind {name!r}; expected one of "
                            f"{', '.join(KINDS)}")
    return key


def _builtin(kind: str, target: str, spec: str) -> tuple[Path, ...]:
    files = builtin_files(target)
    if files is None:
        known = ", ".join(BUILTIN_DATASETS)
        if "/" in target and not target.startswith((".", "/", "~")):
            raise EmbedlabError(f"task {spec!r}: {target!r} is not a file or folder here, and "
                                "data sets are not downloaded from a hub; give a local path "
                                f"(or one of the data sets shipped with gensim: {known})")
        raise EmbedlabError(f"task {spec!r}: {target}: no such file or folder (and not a data "
                            f"set available offline: {known})")
    key = BUILTIN_ALIASES.get(target.lower(), target.lower())
    kinds = BUILTIN_DATASETS[key][0]
    if kind not in kinds:
        raise EmbedlabError(f"task {spec!r}: data set {target!r} is for {' or '.join(kinds)}, "
                            f"not {kind}")
    return files


def _recommendation(target: str, text_field: str | None, min_rating: float | None
                    ) -> RecommendationSet:
    from embedlab.data.interactions import load_recommendation_data

    fields = [f.strip() for f in text_field.split(",")] if text_field else None
    interactions, items = load_recommendation_data(target, fields=fields, min_rating=min_rating)
    name = Path(interactions.source).stem if "," in target else Path(target).name
    return RecommendationSet(name, interactions, items)


def _load(kind: str, target: str, spec: str, split: str | None, text_field: str | None,
          label_field: str | None) -> Any:
    path = Path(target).expanduser()
    fields = {"text_field": text_field, "label_field": label_field}
    if kind in NODE_KINDS:
        return NODE_KINDS[kind](path)
    if kind == "doc-similarity":
        if "," in target:
            docs, matrix = (Path(p.strip()).expanduser() for p in target.split(",", 1))
            return load_document_similarity(docs, matrix)
        if path.exists():
            raise EmbedlabError(f"task {spec!r}: expected doc-similarity:DOCUMENTS,MATRIX (a "
                                "file with one document per line, a square similarity matrix)")
        docs, matrix = _builtin(kind, target, spec)
        return load_document_similarity(docs, matrix, encoding="latin-1")
    if not path.exists():
        files = _builtin(kind, target, spec)
        if kind == "geometry":  # the Lee corpus: its documents
            data = load_document_similarity(*files, encoding="latin-1")
            return TextSet(data.name, list(dict.fromkeys(data.texts1 + data.texts2)))
        path = files[0]
    if kind == "image-classification":
        return load_image_classification(path, split=split, label_field=label_field)
    if kind == "text-image-retrieval":
        return load_captioned(path, split=split)
    if kind in ("image-retrieval", "image-clustering"):
        return load_labelled_images(path, split=split, label_field=label_field)
    if kind == "sts":
        return load_sts(path, split=split, **fields)
    if kind == "retrieval":
        return load_retrieval(path, split=split)
    if kind == "classification":
        return load_classification(path, split=split, **fields)
    if kind == "clustering":
        return load_labelled_texts(path, split=split, **fields)
    if kind == "pair-classification":
        return load_pairs(path, split=split, **fields)
    if kind == "word-similarity":
        return load_word_pairs(path)
    if kind == "analogy":
        return load_analogies(path)
    return load_text_set(path, split=split, **fields)


def parse_task(
    spec: str,
    split: str | None = None,
    text_field: str | None = None,
    label_field: str | None = None,
    *,
    vocab_limit: int | None = None,
    min_rating: float | None = None,
) -> Task:
    """Load the data set of ``KIND:PATH`` (see the module docstring) as a :class:`Task`.

    ``split`` picks the split (default test) where the layout has several; ``text_field`` and
    ``label_field`` name columns where the guess is not enough (for pair layouts, ``text_field``
    is ``"first,second"`` and ``label_field`` the score column); ``vocab_limit`` restricts the
    analogy candidates to the first N words. For ``recommendation``, PATH is an interactions
    file with its catalogue beside it, a folder holding both, or ``INTERACTIONS,ITEMS``;
    ``split`` is ``leave-last`` (default) or ``time``, ``text_field`` the item fields
    (``title,genres``), ``min_rating`` keeps interactions rated at least that.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise EmbedlabError(f"task {spec!r}: expected KIND:PATH, e.g. sts:data/sts.tsv "
                            f"(kinds: {', '.join(KINDS)})")
    kind_name, target = spec.split(":", 1)
    kind = _kind(kind_name, spec)
    if not target.strip():
        raise EmbedlabError(f"task {spec!r}: expected a path after '{kind_name}:'")
    if kind in IMAGE_KIND_OF and looks_like_images(Path(target.strip()).expanduser()):
        kind = IMAGE_KIND_OF[kind]
    options: dict[str, Any] = {}
    if kind == "recommendation":
        data = _recommendation(target.strip(), text_field, min_rating)
        options["how"] = split or "leave-last"
        return Task(kind, data.name, data, spec, options)
    data = _load(kind, target.strip(), spec, split, text_field, label_field)
    if kind == "analogy" and vocab_limit is not None:
        options["vocab_limit"] = vocab_limit
    return Task(kind, data.name, data, spec, options)
