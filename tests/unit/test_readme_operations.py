"""The README's GraphQL operations have unique names, so each one can be pasted into
one GraphiQL document (or its tabs) and run by name."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_operation_names_are_unique() -> None:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
    names = [
        name
        for block in blocks
        for name in re.findall(r"^(?:query|mutation|subscription)\s+(\w+)", block, re.MULTILINE)
    ]
    assert len(names) >= 10, "the README's operations were not found"
    assert [name for name, count in Counter(names).items() if count > 1] == []
