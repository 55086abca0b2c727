"""Local models: intent routing for incoming tickets and embeddings for FAQ retrieval.

Both run on the API host's CPU, so routing costs nothing per ticket.
"""

from __future__ import annotations

from functools import lru_cache

import joblib
import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from .settings import settings

# Fine-tuned on two years of tickets; the repo ships a custom pooling head (modeling_router.py).
INTENT_MODEL = "acme-labs/support-intent-router"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
LABELS = ("billing", "shipping", "returns", "product", "account", "other")


@lru_cache(maxsize=1)
def intent_model() -> tuple[AutoTokenizer, AutoModelForSequenceClassification]:
    """The intent router, with the calibrated head trained after the hub release."""
    tokenizer = AutoTokenizer.from_pretrained(INTENT_MODEL, revision="main")
    model = AutoModelForSequenceClassification.from_pretrained(
        INTENT_MODEL,
        num_labels=len(LABELS),
        trust_remote_code=True,
    )
    head = torch.load(settings.model_dir / "intent_head.pt", map_location="cpu")
    model.classifier.load_state_dict(head)
    model.eval()
    return tokenizer, model


@lru_cache(maxsize=1)
def embedder() -> SentenceTransformer:
    """Sentence embeddings for FAQ retrieval, pinned to a reviewed commit."""
    return SentenceTransformer(EMBEDDING_MODEL, revision=EMBEDDING_REVISION, device="cpu")


@lru_cache(maxsize=1)
def faq_index() -> tuple[torch.Tensor, object]:
    """Pre-computed FAQ embeddings and the TF-IDF vectorizer used as a keyword fallback."""
    vectors = torch.load(settings.model_dir / "faq_embeddings.pt", weights_only=True)
    keywords = joblib.load(settings.model_dir / "faq_tfidf_vectorizer.joblib")
    return vectors, keywords


def classify(text: str) -> str:
    """The most likely intent label of a customer message."""
    tokenizer, model = intent_model()
    inputs = tokenizer(text, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        logits = model(**inputs).logits
    return LABELS[int(logits.argmax(dim=-1))]


def nearest_faqs(question: str, k: int = 3) -> list[int]:
    """Indices of the k FAQ entries closest to the question."""
    vectors, _ = faq_index()
    query = embedder().encode(question, convert_to_tensor=True, normalize_embeddings=True)
    return (vectors @ query).topk(k).indices.tolist()
