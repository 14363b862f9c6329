"""Definitions that are data: read and written as JSON, TOML or YAML documents."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from typing import Any, ClassVar, TypeVar

__all__ = ["Document"]

D = TypeVar("D", bound="Document")


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
        from salesflow.serialization import from_dict

        return from_dict(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, ready for JSON, YAML or TOML, with a ``schema_version``."""
        from salesflow.serialization import to_dict

        return to_dict(self)

    @classmethod
    def from_file(cls: type[D], path: str | os.PathLike[str]) -> D:
        """Read one from a ``.json``, ``.toml``, ``.yaml`` or ``.yml`` file.

        Only safe loaders are used; nothing in the file is evaluated.

        Raises:
            FileFormatError: The file cannot be read or parsed.
            ValidationError: The definition is invalid (every problem, with its path).
        """
        from salesflow.files import read_document
        from salesflow.serialization import from_dict

        document = read_document(path)
        return from_dict(document, cls, subject=f"{cls.document_name} file {os.fspath(path)}")

    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Write it to a ``.json``, ``.toml``, ``.yaml`` or ``.yml`` file.

        Raises:
            FileFormatError: Unknown suffix, a missing optional library, or the
                file cannot be written.
        """
        from salesflow.files import write_document

        write_document(path, self.to_dict())

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of its files, as shipped with salesflow.

        >>> import salesflow as sf
        >>> sf.SalesProcess.json_schema()["title"], sf.BuyerProcess.json_schema()["title"]
        ('salesflow sales process', 'salesflow buyer process')
        """
        text = (
            resources.files("salesflow")
            .joinpath(f"schemas/{cls.schema_file}")
            .read_text(encoding="utf-8")
        )
        schema: dict[str, Any] = json.loads(text)
        return schema
