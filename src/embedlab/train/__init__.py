"""Training: fine-tuning with contrastive losses, hard negatives, static vectors, distillation."""
