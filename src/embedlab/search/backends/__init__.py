"""Vector store backends: ``faiss_store`` (embedded, default) and ``qdrant_store``."""
