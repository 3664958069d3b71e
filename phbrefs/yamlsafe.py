"""YAML read with PyYAML's safe loader, refusing documents whose aliases expand too far.

``safe_load`` shares an anchored node between its aliases, so a "billion laughs" document
parses in microseconds and then costs gigabytes to anything that walks it (validation, JSON,
a spreadsheet). The composed node graph is measured as it would expand, before construction.
"""

from __future__ import annotations

from typing import Any

MAX_EXPANDED_NODES = 1_000_000  # a coding form of 5,000 findings holds about 100,000


class YAMLBombError(ValueError):
    """A document whose aliases expand beyond ``MAX_EXPANDED_NODES`` or refer to themselves."""


def load(text: str) -> Any:
    """``yaml.safe_load(text)``, refusing alias bombs and self-referring aliases."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_size(root: Any) -> None:
    """The node count of ``root`` fully expanded, each shared node counted at every use."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise YAMLBombError(
                    f"its aliases expand to more than {MAX_EXPANDED_NODES:,} values"
                )
            continue
        if key in sizes:
            continue
        if key in active:
            raise YAMLBombError("an alias refers to the value that contains it")
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
