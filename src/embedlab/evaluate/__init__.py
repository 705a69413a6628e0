"""Evaluation: every standard task family on your own data, with reference-exact metrics.

``run_evaluation(models, tasks)`` runs models (names or loaded models; ``bm25`` is a lexical
pseudo-model for retrieval) on tasks named ``KIND:PATH``; ``results_table``, ``results_to_json``
and ``write_report`` present the results. Each task family is one evaluator class, usable alone:
``STSEvaluator(load_sts(path))(embedder) -> {"spearman": ..., "pearson": ...}``.
"""

from __future__ import annotations

from embedlab.evaluate.analogy import AnalogyEvaluator
from embedlab.evaluate.base import Evaluator, NotApplicableError, Retriever, RetrieverModel
from embedlab.evaluate.bm25 import BM25Model
from embedlab.evaluate.classification import ClassificationEvaluator
from embedlab.evaluate.clustering import ClusteringEvaluator
from embedlab.evaluate.geometry import GeometryEvaluator
from embedlab.evaluate.models import as_model, get_model
from embedlab.evaluate.pair_classification import PairClassificationEvaluator
from embedlab.evaluate.report import results_table, results_to_json, write_report
from embedlab.evaluate.results import Result
from embedlab.evaluate.retrieval import DenseRetriever, RetrievalEvaluator
from embedlab.evaluate.runner import evaluate_model, run_evaluation
from embedlab.evaluate.sts import DocumentSimilarityEvaluator, STSEvaluator
from embedlab.evaluate.tasks import KINDS, Task, parse_task
from embedlab.evaluate.word_similarity import WordSimilarityEvaluator

__all__ = [
    "KINDS",
    "AnalogyEvaluator",
    "BM25Model",
    "ClassificationEvaluator",
    "ClusteringEvaluator",
    "DenseRetriever",
    "DocumentSimilarityEvaluator",
    "Evaluator",
    "GeometryEvaluator",
    "NotApplicableError",
    "PairClassificationEvaluator",
    "Result",
    "RetrievalEvaluator",
    "Retriever",
    "RetrieverModel",
    "STSEvaluator",
    "Task",
    "WordSimilarityEvaluator",
    "as_model",
    "evaluate_model",
    "get_model",
    "parse_task",
    "results_table",
    "results_to_json",
    "run_evaluation",
    "write_report",
]
