"""Reading and writing documents as JSON, TOML or YAML files, chosen by suffix.

Only safe loaders are used (a YAML 1.2 core-schema ``SafeLoader``, ``tomllib``,
``json``), and the YAML and TOML-writing libraries are imported only when such
a file is used. Reading accepts regular files of at most :data:`MAX_FILE_BYTES`
bytes, reads numbers exactly as written (as :class:`~decimal.Decimal`) and
refuses duplicate keys. Writing encodes everything first and replaces the
target atomically, so a failure never leaves a half-written or emptied file.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesflow._atomic import replace_bytes
from salesflow._json import load_unique
from salesflow._regular_file import read_regular_file
from salesflow.errors import FileFormatError, shorten

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "parse_document",
    "read_document",
    "write_document",
]

SUFFIXES = (".json", ".toml", ".yaml", ".yml")

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest file :func:`read_document` reads (16 MiB)."""


def _path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise FileFormatError(shorten(path), f"expected a file path, got {type(path).__name__}")
    try:
        return Path(path)
    except (TypeError, ValueError) as exc:  # e.g. a PathLike returning bytes
        raise FileFormatError(shorten(path), f"expected a file path: {exc}") from None


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileFormatError(
            str(path),
            f"unknown file type {shorten(suffix or '(none)')}; expected one of {', '.join(SUFFIXES)}",
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


def _parse(file: Path, suffix: str, text: str) -> Any:
    if suffix == ".json":
        return load_unique(text, parse_float=Decimal)
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        return tomllib.loads(text, parse_float=Decimal)
    _yaml(file)
    from salesflow._yaml import load

    return load(text)


def read_document(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES
) -> dict[str, Any]:
    """Read a JSON, TOML or YAML file whose top level is a mapping.

    Numbers with a fraction or an exponent are read as the
    :class:`~decimal.Decimal` of their text, so no digit is lost; YAML is read
    with the YAML 1.2 core schema (``012`` is 12, ``yes`` is a string).

    Args:
        path: The file.
        max_bytes: The largest file to read.

    Raises:
        FileFormatError: Unknown suffix, not a regular file, too large, not
            UTF-8, a parse error (with its line where the parser gives one), a
            duplicate key, a YAML document whose aliases expand too far, or a
            top level that is not a mapping.
    """
    file = _path(path)
    suffix = _suffix(file)
    raw = read_regular_file(file, max_bytes=max_bytes, hint="raise it with max_bytes=")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark is no content
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            str(file), f"cannot read: not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    return _mapping(file, suffix, text)


def _mapping(file: Path, suffix: str, text: str, *, name: str | None = None) -> dict[str, Any]:
    label = str(file) if name is None else name
    try:
        data = _parse(file, suffix, text)
    except FileFormatError:
        raise
    except Exception as exc:  # each parser has its own error type
        message = str(exc)
        raise FileFormatError(label, f"cannot parse {suffix[1:].upper()}: {message}") from None
    if not isinstance(data, dict):
        raise FileFormatError(
            label, f"expected a mapping at the top level, got {type(data).__name__}"
        )
    return data


FORMATS = ("json", "toml", "yaml")
"""The text formats :func:`parse_document` reads."""


def parse_document(text: str, *, format: str, source: str = "<text>") -> dict[str, Any]:
    """Parse JSON, TOML or YAML text whose top level is a mapping.

    The same rules as :func:`read_document`: safe loaders only, numbers read
    exactly, duplicate keys refused, at most :data:`MAX_FILE_BYTES` characters.

    Args:
        text: The document's text.
        format: ``"json"``, ``"toml"`` or ``"yaml"``.
        source: What to call the text in errors.

    Raises:
        FileFormatError: Not text, an unknown format, too long, a parse error,
            a duplicate key, or a top level that is not a mapping.
    """
    if not isinstance(text, str):
        raise FileFormatError(source, f"expected text, got {type(text).__name__}")
    if format not in FORMATS:
        raise FileFormatError(
            source, f"unknown format {shorten(format)}; expected one of {', '.join(FORMATS)}"
        )
    if len(text) > MAX_FILE_BYTES:
        raise FileFormatError(source, f"more than the limit of {MAX_FILE_BYTES} characters")
    return _mapping(Path(source), f".{format}", text, name=source)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _text(file: Path, suffix: str, data: dict[str, Any]) -> str:
    if suffix == ".json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if suffix == ".toml":
        try:
            import tomli_w
        except ImportError:  # pragma: no cover - depends on the environment
            raise FileFormatError(
                str(file), "writing TOML needs tomli-w: pip install 'salesflow[toml]'"
            ) from None
        text: str = tomli_w.dumps(_without_none(data))
        return text
    yaml = _yaml(file)
    from salesflow._yaml import load

    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if load(text) != data:
        # PyYAML writes some characters (e.g. U+0085) plainly and reads them
        # back as line breaks, and strings like "012" unquoted; double-quoted
        # style escapes them all.
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_style='"')
    return str(text)


def write_document(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    """Write ``data`` as JSON, TOML or YAML, by the file's suffix, atomically.

    Everything is encoded first; the bytes go to a temporary file in the same
    folder, which then replaces the target (``os.replace``). On any failure
    the target is left exactly as it was. TOML has no null, so keys whose
    value is ``None`` are left out there (reading them back gives the same
    defaults).

    Raises:
        FileFormatError: Unknown suffix, a missing optional library, text that
            cannot be encoded as UTF-8 (e.g. a lone surrogate), or the file
            cannot be written.
    """
    file = _path(path)
    suffix = _suffix(file)
    try:
        payload = _text(file, suffix, data).encode("utf-8")
    except FileFormatError:
        raise
    except UnicodeEncodeError as exc:
        raise FileFormatError(
            str(file), f"cannot write: text that is not valid unicode ({exc.reason})"
        ) from None
    except Exception as exc:  # a value the format cannot hold
        raise FileFormatError(str(file), f"cannot write {suffix[1:].upper()}: {exc}") from exc
    try:
        replace_bytes(file, payload)
    except (OSError, ValueError) as exc:
        raise FileFormatError(str(file), f"cannot write: {exc}") from exc
