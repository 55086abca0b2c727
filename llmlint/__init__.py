"""llmlint: a security linter for Python code that calls large language models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llmlint")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
