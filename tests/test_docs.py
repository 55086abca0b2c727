"""Generated documentation stays in step with the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmlint.docs import (
    CATALOG_BEGIN,
    CATALOG_END,
    catalog_reference,
    readme_with_table,
    rule_page,
    with_generated,
)
from llmlint.registry import all_rules

REPO = Path(__file__).resolve().parents[1]
RULE_DOCS = REPO / "docs" / "rules"


def test_readme_rule_table_is_fresh(update_snapshots: bool) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    fresh = readme_with_table(readme, all_rules())
    if update_snapshots:
        (REPO / "README.md").write_text(fresh, encoding="utf-8")
    assert readme == fresh, "README rule table is stale: run pytest --update-snapshots"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_page_is_fresh(rule: type, update_snapshots: bool) -> None:
    page = RULE_DOCS / f"{rule.code}.md"
    expected = rule_page(rule)
    if update_snapshots:
        RULE_DOCS.mkdir(parents=True, exist_ok=True)
        page.write_text(expected, encoding="utf-8")
    assert page.exists() and page.read_text(encoding="utf-8") == expected, (
        f"{page.name} is stale: run pytest --update-snapshots"
    )


def test_no_orphan_rule_pages() -> None:
    codes = {rule.code for rule in all_rules()}
    orphans = [p.name for p in RULE_DOCS.glob("*.md") if p.stem not in codes]
    assert not orphans, f"pages for rules that do not exist: {orphans}"


def test_catalog_reference_is_fresh(update_snapshots: bool) -> None:
    page = REPO / "docs" / "catalog.md"
    text = page.read_text(encoding="utf-8")
    fresh = with_generated(text, CATALOG_BEGIN, CATALOG_END, catalog_reference())
    if update_snapshots:
        page.write_text(fresh, encoding="utf-8")
    assert text == fresh, "docs/catalog.md is stale: run pytest --update-snapshots"
