"""Definitions that are data: read and written as JSON, TOML or YAML documents.

This module sits below :mod:`salesflow.serialization` and never imports it:
serialization hands its two functions over with :func:`use_codec` when it is
imported (``import salesflow`` always imports it), as cattrs knows attrs
classes while attrs knows nothing of cattrs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, ClassVar, TypeVar

from salesflow.files import parse_document, read_document, write_document

__all__ = ["Document", "shipped_schema", "use_codec"]

D = TypeVar("D", bound="Document")

ToDict = Callable[[Any], dict[str, Any]]
FromDict = Callable[..., Any]

_codec: list[tuple[ToDict, FromDict]] = []


def use_codec(to_dict: ToDict, from_dict: FromDict) -> None:
    """Install the functions documents are converted with (called by serialization)."""
    _codec[:] = [(to_dict, from_dict)]


def _installed() -> tuple[ToDict, FromDict]:
    if not _codec:  # only if salesflow.serialization was never imported
        raise RuntimeError("salesflow.serialization is not loaded; import salesflow first")
    return _codec[0]


class Document:
    """A mixin for definitions kept in files (sales processes, buyer processes).

    Subclasses name themselves (``document_name``) and their shipped JSON
    Schema (``schema_file``, under ``salesflow/schemas/``).
    """

    __slots__ = ()
    document_name: ClassVar[str]
    schema_file: ClassVar[str]

    @classmethod
    def from_dict(cls: type[D], data: Mapping[str, Any]) -> D:
        """Build one from plain data (as read from JSON, YAML or TOML).

        Raises:
            ValidationError: Every problem in ``data``, each with its path.
        """
        built: D = _installed()[1](data, cls)
        return built

    def to_dict(self) -> dict[str, Any]:
        """Plain data, ready for JSON, YAML or TOML, with a ``schema_version``."""
        return _installed()[0](self)

    @classmethod
    def from_file(cls: type[D], path: str | os.PathLike[str]) -> D:
        """Read one from a ``.json``, ``.toml``, ``.yaml`` or ``.yml`` file.

        Only safe loaders are used; nothing in the file is evaluated.

        Raises:
            FileFormatError: The file cannot be read or parsed.
            ValidationError: The definition is invalid (every problem, with its path).
        """
        document = read_document(path)
        subject = f"{cls.document_name} file {os.fspath(path)}"
        built: D = _installed()[1](document, cls, subject=subject)
        return built

    @classmethod
    def from_text(cls: type[D], text: str, *, format: str) -> D:
        """Read one from JSON, TOML or YAML text, with the rules of :meth:`from_file`.

        Args:
            text: The document.
            format: ``"json"``, ``"toml"`` or ``"yaml"``.

        Raises:
            FileFormatError: An unknown format, or text that cannot be parsed.
            ValidationError: The definition is invalid (every problem, with its path).
        """
        source = f"{cls.document_name} {format} text"
        document = parse_document(text, format=format, source=source)
        built: D = _installed()[1](document, cls, subject=source)
        return built

    @classmethod
    def from_yaml(cls: type[D], text: str) -> D:
        """Read one from YAML text (needs the ``yaml`` extra); see :meth:`from_text`.

        >>> import salesflow as sf
        >>> p = sf.SalesProcess.from_yaml('''
        ... name: Tiny
        ... stages:
        ...   - {name: Talking, probability: 30}
        ...   - {name: Won, probability: 100, is_closed: true, is_won: true}
        ... ''')
        >>> p.stage_names
        ('Talking', 'Won')
        """
        return cls.from_text(text, format="yaml")

    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Write it to a ``.json``, ``.toml``, ``.yaml`` or ``.yml`` file.

        Raises:
            FileFormatError: Unknown suffix, a missing optional library, or the
                file cannot be written.
        """
        write_document(path, self.to_dict())

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of its files, as shipped with salesflow.

        >>> import salesflow as sf
        >>> sf.SalesProcess.json_schema()["title"], sf.BuyerProcess.json_schema()["title"]
        ('salesflow sales process', 'salesflow buyer process')
        """
        return shipped_schema(cls.schema_file)


def shipped_schema(file_name: str) -> dict[str, Any]:
    """The JSON Schema ``schemas/<file_name>`` shipped inside the package (package data)."""
    text = (
        resources.files("salesflow").joinpath(f"schemas/{file_name}").read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
