"""GraphiQL's example tabs are the README's operations (`make examples` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

from graph_api.graphiql import EXAMPLES, STATIC, readme_examples

README = Path(__file__).resolve().parents[2] / "README.md"


def test_graphiql_examples_match_the_readme() -> None:
    shipped = json.loads((STATIC / EXAMPLES).read_text(encoding="utf-8"))
    assert shipped == readme_examples(README.read_text(encoding="utf-8")), (
        "the README's operations changed: run `make examples`"
    )


def test_examples_are_titled_by_the_text_above_them() -> None:
    readme = "# Top\n\n**1. First.** words\n\n```graphql\n{ me { id } }\n```\n\n## Later\n```graphql\nquery Q { me { id } }\n```\n"
    assert readme_examples(readme) == [
        {"title": "1. First", "query": "{ me { id } }"},
        {"title": "Later", "query": "query Q { me { id } }"},
    ]


def test_the_bundle_is_shipped() -> None:
    for name in ("graphiql.js", "graphiql.css"):
        assert (STATIC / name).read_bytes()[:200].strip(), name
