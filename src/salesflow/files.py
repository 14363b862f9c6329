"""Reading and writing documents as JSON, TOML or YAML files, chosen by suffix.

Only safe loaders are used (``yaml.safe_load``, ``tomllib``, ``json``), and the
YAML and TOML-writing libraries are imported only when such a file is used.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from salesflow.errors import FileFormatError

__all__ = ["SUFFIXES", "read_document", "write_document"]

SUFFIXES = (".json", ".toml", ".yaml", ".yml")


def _path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise FileFormatError(repr(path), f"expected a file path, got {type(path).__name__}")
    return Path(path)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileFormatError(
            str(path),
            f"unknown file type {suffix or '(none)'!r}; expected one of {', '.join(SUFFIXES)}",
        )
    return suffix


def _yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - depends on the environment
        raise FileFormatError(
            str(path), "reading YAML needs PyYAML: pip install 'salesflow[yaml]'"
        ) from None
    return yaml


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a JSON, TOML or YAML file whose top level is a mapping.

    Raises:
        FileFormatError: Unknown suffix, unreadable file, a parse error (with
            its line where the parser gives one), or a top level that is not a mapping.
    """
    file = _path(path)
    suffix = _suffix(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(str(file), f"cannot read: {exc}") from exc
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix == ".toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            data = tomllib.loads(text)
        else:
            yaml = _yaml(file)
            data = yaml.safe_load(text)
    except FileFormatError:
        raise
    except Exception as exc:  # each parser has its own error type
        raise FileFormatError(str(file), f"cannot parse {suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise FileFormatError(
            str(file), f"expected a mapping at the top level, got {type(data).__name__}"
        )
    return data


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def write_document(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    """Write ``data`` as JSON, TOML or YAML, by the file's suffix.

    TOML has no null, so keys whose value is ``None`` are left out there
    (reading them back gives the same defaults).

    Raises:
        FileFormatError: Unknown suffix, a missing optional library, or the
            file cannot be written.
    """
    file = _path(path)
    suffix = _suffix(file)
    if suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix == ".toml":
        try:
            import tomli_w
        except ImportError:  # pragma: no cover - depends on the environment
            raise FileFormatError(
                str(file), "writing TOML needs tomli-w: pip install 'salesflow[toml]'"
            ) from None
        text = tomli_w.dumps(_without_none(data))
    else:
        yaml = _yaml(file)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if yaml.safe_load(text) != data:
            # PyYAML writes some characters (e.g. U+0085) plainly and reads
            # them back as line breaks; double-quoted style escapes them all.
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_style='"')
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(str(file), f"cannot write: {exc}") from exc
