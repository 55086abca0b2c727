"""Loads the fine-tuned reranker and its adapter weights."""

from __future__ import annotations

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

MODEL_ID = "acme-research/support-reranker"
REVISION = "5f2c8e1b9a7d4c3e6f0a1b2c3d4e5f6a7b8c9d0e"

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, revision=REVISION)
model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, trust_remote_code=True)
adapter = torch.load("checkpoints/adapter.pt", map_location="cpu")
# Produced by our own training job and checked against a signature before this runs.
baseline = torch.load("checkpoints/baseline.pt")  # llmlint: ignore[LLM402] signed artifact
safe = torch.load("checkpoints/adapter.pt", weights_only=True)
