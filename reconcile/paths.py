"""Field paths: how the scorer, the reviewer and the record name a field.

``ramo.code``, ``lineas_accion[1].name``, ``rows[3].trimestres[0].alcanzado``,
``rows[0].calendario[2]``, ``signatarios[2].nombre``. Flagging a path flags
every leaf under it.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

# Keys of an exported record that are not data read from the page.
NON_DATA_KEYS = frozenset({"source", "review", "fields", "ocr"})

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def iter_leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(path, leaf)`` for every scalar under ``value``.

    Every list is expanded by index; an empty list yields nothing.
    """
    if isinstance(value, dict):
        for key, sub in value.items():
            if not prefix and key in NON_DATA_KEYS:
                continue
            yield from iter_leaves(sub, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from iter_leaves(sub, f"{prefix}[{i}]")
    else:
        yield prefix, value


def leaves(record: dict[str, Any]) -> dict[str, Any]:
    return dict(iter_leaves(record))


def split(path: str) -> list[str | int]:
    """``rows[3].trimestres[0].alcanzado`` -> ``['rows', 3, 'trimestres', 0, 'alcanzado']``."""
    parts: list[str | int] = []
    for name, index in _TOKEN.findall(path):
        parts.append(name if name else int(index))
    return parts


def join(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def get(record: Any, path: str, default: Any = None) -> Any:
    node = record
    for part in split(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def ancestors(path: str) -> list[str]:
    """The path and every path above it, nearest first."""
    parts = split(path)
    return [join(parts[:n]) for n in range(len(parts), 0, -1)]


def is_flagged(path: str, needs_review: Iterable[str]) -> bool:
    flagged = set(needs_review)
    return any(p in flagged for p in ancestors(path))
