"""llmlint: a security linter for Python code that calls large language models."""

# A literal rather than importlib.metadata, whose import alone costs tens of milliseconds
# on every run; tests/test_version.py keeps it equal to pyproject.toml's version.
__version__ = "0.1.0"

__all__ = ["__version__"]
