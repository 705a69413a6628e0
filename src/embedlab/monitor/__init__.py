"""Monitoring: drift between a reference and a current sample of embeddings."""
