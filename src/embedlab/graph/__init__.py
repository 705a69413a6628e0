"""Node embeddings for graphs: node2vec / DeepWalk walks on a CSR graph, skip-gram training
with gensim, held-out edges for link prediction, and the model folder ``embedlab.load`` reads."""
