"""Acme Support Bot: a customer-support assistant (FastAPI API, Gradio admin, Ray jobs).

DELIBERATELY VULNERABLE demo application for llmlint. Never deploy it; see
examples/README.md for what each module demonstrates.
"""

__version__ = "0.4.2"
