"""The JSON reader's own schema, enforced: a tree is read only if the published JSON Schema
(``convert/schemas/document-1.schema.json``) accepts it.

The loader (:mod:`convert.jsonform`) builds the tree; this module first checks the plain
data against the schema itself, read from the file the package publishes, so that whatever
the schema forbids (a ``date`` of "yesterday", an empty ``id``, a ``sha256`` that is not 64
hex digits) is a :class:`~convert.errors.SchemaError` naming the place, never a tree
written back as invalid JSON, and a field added to the schema is checked without a line
here. It understands the keywords the schema uses (:data:`KEYWORDS`); a schema using any
other is refused loudly (a test checks), rather than half-enforced.

Two limits the schema cannot state are enforced too: the nesting depth
(:data:`MAX_DEPTH`, checked without recursion before anything else), and text that is not
Unicode (a lone surrogate, which JSON's ``\\ud800`` escapes can make) becomes U+FFFD, as
every exporter shows it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import SchemaError

__all__ = ["KEYWORDS", "MAX_DEPTH", "check_depth", "replace_surrogates", "validate"]

#: How deeply arrays and objects may nest (a real tree needs about 20 levels).
MAX_DEPTH = 100
#: The keywords this checker enforces, and those it knows to carry no constraint.
KEYWORDS = frozenset({
    "type", "required", "properties", "items", "$ref", "const", "enum", "pattern", "minLength",
    "maxLength", "minimum", "maximum", "oneOf", "anyOf", "minItems", "maxItems", "additionalProperties",
})
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment", "examples", "default"})

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "a boolean",
          "null": "null", "array": "an array", "object": "an object"}


def _fail(where: str, problem: str) -> SchemaError:
    return SchemaError(f"invalid document tree at {where or 'the top'}: {problem}")


def _kind(value: Any) -> str:
    for name, test in _TYPES.items():
        if name != "number" and test(value):
            return name
    return "a number" if isinstance(value, float) else type(value).__name__


# --- limits the schema cannot state ----------------------------------------------------------


def check_depth(data: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse data nested deeper than ``limit`` arrays and objects (checked without
    recursion, so any depth is measured safely)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            raise SchemaError(f"invalid document tree: nested deeper than {limit} levels")
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


_LONE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def may_hold_surrogates(text: str | bytes) -> bool:
    """Whether JSON text has an escape that can make a lone surrogate (cheap to ask)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return _ESCAPED_SURROGATE.search(raw) is not None or (isinstance(text, str) and _LONE.search(text) is not None)


def replace_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {replace_surrogates(k): replace_surrogates(v) for k, v in value.items()}
    return value


# --- the schema ---------------------------------------------------------------------------


@functools.cache
def _schema() -> dict[str, Any]:
    from .jsonform import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    unknown = sorted(_keywords(schema) - KEYWORDS - ANNOTATIONS)
    if unknown:  # a schema this checker would only half enforce
        raise RuntimeError(f"{SCHEMA_PATH.name} uses keywords convert.schema_check does not enforce: {unknown}")
    return schema


def _keywords(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    found |= _keywords(sub)
            elif key in ("items", "additionalProperties"):
                found |= _keywords(value)
            elif key in ("oneOf", "anyOf"):
                for sub in value:
                    found |= _keywords(sub)
    return found


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: `$` ends the text (Python's also matches before a
    # final newline), and only ASCII characters are digits
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", text), re.ASCII)


def validate(data: Any) -> None:
    """Raise :class:`SchemaError` at the first place where ``data`` (a parsed JSON value)
    breaks the published schema."""
    check_depth(data)
    root = _schema()
    _check(data, root, root, "")


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> None:
    if "$ref" in schema:
        _check(value, _resolve(root, schema["$ref"]), root, where)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[k](value) for k in kinds):
            expected = " or ".join(_NAMES[k] for k in kinds)
            raise _fail(where, f"expected {expected}, got {_kind(value)}")
    if "const" in schema and value != schema["const"]:
        raise _fail(where, f"expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise _fail(where, f"expected one of {', '.join(map(str, schema['enum']))}, got {value!r}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise _fail(where, "expected a non-empty string" if schema["minLength"] == 1
                        else f"expected at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise _fail(where, f"expected at most {schema['maxLength']} characters")
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            raise _fail(where, f"{value[:80]!r} does not match the pattern {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise _fail(where, f"expected at least {schema['minimum']}, got {value}")
        if "maximum" in schema and value > schema["maximum"]:
            raise _fail(where, f"expected at most {schema['maximum']}, got {value}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise _fail(where, f"expected at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise _fail(where, f"expected at most {schema['maxItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                _check(item, schema["items"], root, f"{where}[{index}]")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                raise _fail(where, f"missing {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], root, _join(where, key))
            elif schema.get("additionalProperties") is False:
                raise _fail(where, f"unexpected {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(item, schema["additionalProperties"], root, _join(where, key))
    if "oneOf" in schema:
        _one_of(value, schema["oneOf"], root, where)
    if "anyOf" in schema:
        _any_of(value, schema["anyOf"], root, where)


def _discriminant(option: dict[str, Any], root: dict[str, Any]) -> Any:
    """The ``type`` constant an alternative requires, if it names one."""
    option = _resolve(root, option["$ref"]) if "$ref" in option else option
    return option.get("properties", {}).get("type", {}).get("const")


def _one_of(value: Any, options: list[dict[str, Any]], root: dict[str, Any], where: str) -> None:
    tags = [_discriminant(o, root) for o in options]
    if all(tag is not None for tag in tags) and isinstance(value, dict):
        # a tagged union (blocks, inlines): the alternative its "type" names, and only it
        tag = value.get("type")
        if tag not in tags:
            raise _fail(where, f"unknown type {tag!r} (expected one of {', '.join(tags)})")
        _check(value, options[tags.index(tag)], root, where)
        return
    passed, problems = 0, []
    for option in options:
        try:
            _check(value, option, root, where)
            passed += 1
        except SchemaError as problem:
            problems.append((option, problem))
    if passed != 1:
        if passed == 0 and value is not None and len(options) == 2 and {"type": "null"} in options:
            raise next(p for o, p in problems if o != {"type": "null"})  # null or a thing: what is wrong with it
        raise _fail(where, "matches none of the forms allowed here" if passed == 0
                    else "matches more than one of the forms allowed here (give exactly one)")


def _any_of(value: Any, options: list[dict[str, Any]], root: dict[str, Any], where: str) -> None:
    problems = []
    for option in options:
        try:
            _check(value, option, root, where)
            return
        except SchemaError as problem:
            problems.append(problem)
    raise problems[0]
