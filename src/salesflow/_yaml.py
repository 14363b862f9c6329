"""A safe YAML loader that reads numbers as written, refuses duplicate keys and bounds aliases.

Imported only when a YAML file is read (PyYAML is an optional dependency).

Choices, documented in ``docs/process-files.md``:

- plain scalars are resolved with the YAML 1.2 core schema, not PyYAML's YAML
  1.1 one: ``012`` is the integer 12 (not octal 10), ``yes``/``no``/``on``/``off``
  are strings, only ``true``/``false`` are booleans;
- a number with a point or an exponent (``33.3333333333333333``, ``1e5``) is read
  as the :class:`~decimal.Decimal` of its text, never through a binary float, so
  no digit is lost; ``.inf`` and ``.nan`` become non-finite decimals, which the
  fields then refuse;
- a key that appears twice in one mapping is an error (no last-one-wins);
- aliases may not expand the document beyond :data:`MAX_NODES` nodes, and may not
  refer to themselves (an "alias bomb" is refused before anything walks it).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_NODES", "load"]

MAX_NODES = 200_000
"""The most nodes a YAML document may have once its aliases are expanded."""

_CORE = {
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    "tag:yaml.org,2002:int": (
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        list("-+0123456789"),
    ),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
}


class TooLargeError(yaml.YAMLError):
    """The document expands beyond :data:`MAX_NODES` nodes, or an alias refers to itself."""


class _Loader(yaml.SafeLoader):
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {  # type: ignore[misc]
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _CORE]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: list[Any] = []
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # pragma: no cover - unhashable keys fail below
                    duplicate = False
                if duplicate:
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found the key {key!r} twice",
                        key_node.start_mark,
                    )
                seen.append(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]
        return result


def _int(loader: _Loader, node: Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text, 0)
    return int(text, 10)


def _decimal(loader: _Loader, node: Node) -> Decimal:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return Decimal("-Infinity" if lowered.startswith("-") else "Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    return Decimal(text)


def _bool(loader: _Loader, node: Node) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"  # type: ignore[arg-type]


for _tag, (_pattern, _first) in _CORE.items():
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:bool", _bool)


def _check_expansion(root: Node) -> None:
    """Refuse a node graph whose tree (aliases expanded) has over MAX_NODES nodes, or a cycle."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > MAX_NODES:
                raise TooLargeError(
                    f"the document expands to more than {MAX_NODES} nodes "
                    "(aliases are expanded); refusing it"
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in active:
            raise TooLargeError("an alias refers to a node that contains it; refusing it")
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                raise TooLargeError("an alias refers to a node that contains it; refusing it")
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    assert isinstance(node, ScalarNode)
    return []


def load(text: str) -> Any:
    """Parse one YAML document with the loader above.

    Raises:
        yaml.YAMLError: Not YAML, a duplicate key, or a document too large once expanded.
    """
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
