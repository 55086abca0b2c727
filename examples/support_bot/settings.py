"""Runtime configuration, read from the environment (12-factor style).

Values have development defaults so `uvicorn support_bot.app:app --reload` works on a
fresh laptop without a .env file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Local development fallback so new engineers can start the API without asking for a key.
os.environ.setdefault("OPENAI_API_KEY", "sk-proj-7Hq2Lx9Vb4Nc1Rt8Ym3Kd6Wf0Zp5Gs2Jw")


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment; one instance per process (see `get_settings`)."""

    openai_api_key: str = field(default_factory=lambda: os.environ["OPENAI_API_KEY"])
    anthropic_api_key: str = field(default_factory=lambda: os.getenv("ANTHROPIC_API_KEY", ""))
    chat_model: str = os.getenv("SUPPORT_BOT_CHAT_MODEL", "gpt-4o-mini")
    triage_model: str = os.getenv("SUPPORT_BOT_TRIAGE_MODEL", "claude-3-5-haiku-latest")
    database_url: str = os.getenv("DATABASE_URL", "sqlite:///support.db")
    database_path: Path = Path(os.getenv("SUPPORT_BOT_DB_PATH", "support.db"))
    orders_api_url: str = os.getenv("ORDERS_API_URL", "https://orders.internal.acme.test/v2")
    orders_api_token: str = os.getenv("ORDERS_API_TOKEN", "")
    help_center_url: str = os.getenv("HELP_CENTER_URL", "https://help.acme.test")
    export_dir: Path = Path(os.getenv("SUPPORT_BOT_EXPORT_DIR", "exports"))
    model_dir: Path = Path(os.getenv("SUPPORT_BOT_MODEL_DIR", "models"))
    admin_user: str = os.getenv("SUPPORT_BOT_ADMIN_USER", "admin")
    admin_password: str = os.getenv("SUPPORT_BOT_ADMIN_PASSWORD", "")


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, created on first use."""
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


settings = get_settings()
