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
            raise _too_deep()
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


# A place in the data, built as the check descends (cheap) and spelt out only for an error:
# None for the top, else (parent place, key or index).
Place = tuple[Any, Any] | None
#: check(value, place, depth): depth counts the arrays and objects ``value`` is inside
Check = Callable[[Any, Place, int], None]


def _spell(place: Place) -> str:
    keys = []
    while place is not None:
        place, key = place
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _fail(place: Place, problem: str) -> SchemaError:
    return SchemaError(f"invalid document tree at {_spell(place) or 'the top'}: {problem}")


def _too_deep() -> SchemaError:
    return SchemaError(f"invalid document tree: nested deeper than {MAX_DEPTH} levels")


def validate(data: Any) -> None:
    """Raise :class:`SchemaError` at the first place where ``data`` (a parsed JSON value)
    breaks the published schema, or nests deeper than :data:`MAX_DEPTH`."""
    _compiled()(data, None, 1)


@functools.cache
def _compiled() -> Check:
    """The published schema, compiled once into one check function per schema node."""
    root = _schema()
    refs: dict[str, Check] = {}

    def by_ref(ref: str) -> Check:
        def check(value: Any, place: Place, depth: int) -> None:
            compiled = refs.get(ref)
            if compiled is None:
                node: Any = root
                for part in ref.removeprefix("#/").split("/"):
                    node = node[part]
                compiled = refs[ref] = _compile(node, by_ref)
            compiled(value, place, depth)
        return check

    return _compile(root, by_ref)


_PYTHON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
                 "null": (type(None),), "array": (list,), "object": (dict,)}


def _compile(schema: dict[str, Any], by_ref: Callable[[str], Check]) -> Check:
    """One schema node as a check; the shapes the schema uses most get lean ones."""
    keywords = set(schema) - ANNOTATIONS
    if keywords == {"$ref"}:
        return by_ref(schema["$ref"])
    if keywords == {"oneOf"}:
        return _compile_one_of(schema["oneOf"], by_ref)
    kinds = schema.get("type")
    kinds = None if kinds is None else (kinds if isinstance(kinds, list) else [kinds])
    accepted = tuple(t for k in kinds for t in _PYTHON_TYPES[k]) if kinds else None
    bool_ok = kinds is None or "boolean" in kinds
    expected = " or ".join(_NAMES[k] for k in kinds) if kinds else ""
    items = _compile(schema["items"], by_ref) if "items" in schema else None
    required = tuple(schema.get("required", ()))
    properties = {k: _compile(v, by_ref) for k, v in schema.get("properties", {}).items()}

    if accepted is not None and keywords <= {"type"}:
        def leaf(value: Any, place: Place, depth: int) -> None:
            if not isinstance(value, accepted) or (not bool_ok and isinstance(value, bool)):
                raise _fail(place, f"expected {expected}, got {_kind(value)}")
        return leaf
    if keywords == {"const"}:
        const = schema["const"]

        def constant(value: Any, place: Place, depth: int) -> None:
            if value != const or type(value) is not type(const):
                raise _fail(place, f"expected {const!r}, got {value!r}")
        return constant
    if kinds == ["array"] and items is not None and keywords <= {"type", "items"}:
        def array(value: Any, place: Place, depth: int) -> None:
            if not isinstance(value, list):
                raise _fail(place, f"expected an array, got {_kind(value)}")
            if depth >= MAX_DEPTH and value:
                raise _too_deep()
            for index, item in enumerate(value):
                items(item, (place, index), depth + 1)
        return array
    if kinds == ["object"] and keywords <= {"type", "required", "properties"}:
        def record(value: Any, place: Place, depth: int) -> None:
            if not isinstance(value, dict):
                raise _fail(place, f"expected an object, got {_kind(value)}")
            if depth >= MAX_DEPTH and value:
                raise _too_deep()
            _members(value, place, depth, required, properties)
        return record
    return _general(schema, by_ref, accepted, bool_ok, expected, items, required, properties)


def _members(value: dict[str, Any], place: Place, depth: int, required: tuple[str, ...],
             properties: dict[str, Check], extra: Any = None, extra_check: Check | None = None) -> None:
    """The members of an object: the required ones there, each named one checked, the
    others as ``additionalProperties`` says (and their depth measured all the same)."""
    for key in required:
        if key not in value:
            raise _fail(place, f"missing {key!r}")
    for key, item in value.items():
        sub = properties.get(key)
        if sub is not None:
            sub(item, (place, key), depth + 1)
        elif extra is False:
            raise _fail(place, f"unexpected {key!r}")
        elif extra_check is not None:
            extra_check(item, (place, key), depth + 1)
        elif isinstance(item, (list, dict)):
            check_depth(item, MAX_DEPTH - depth)


def _general(schema: dict[str, Any], by_ref: Callable[[str], Check], accepted: tuple[type, ...] | None,
             bool_ok: bool, expected: str, items: Check | None, required: tuple[str, ...],
             properties: dict[str, Check]) -> Check:
    """A check for any node, every keyword of :data:`KEYWORDS`."""
    has_const, const = "const" in schema, schema.get("const")
    enum = schema.get("enum")
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    pattern = _pattern(schema["pattern"]) if "pattern" in schema else None
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    extra = schema.get("additionalProperties")
    extra_check = _compile(extra, by_ref) if isinstance(extra, dict) else None
    ref = by_ref(schema["$ref"]) if "$ref" in schema else None
    one_of = _compile_one_of(schema["oneOf"], by_ref) if "oneOf" in schema else None
    any_of = [_compile(o, by_ref) for o in schema["anyOf"]] if "anyOf" in schema else None

    def check(value: Any, place: Place, depth: int) -> None:
        if ref is not None:
            ref(value, place, depth)
        if accepted is not None and (not isinstance(value, accepted) or (not bool_ok and isinstance(value, bool))):
            raise _fail(place, f"expected {expected}, got {_kind(value)}")
        if has_const and value != const:
            raise _fail(place, f"expected {const!r}, got {value!r}")
        if enum is not None and value not in enum:
            raise _fail(place, f"expected one of {', '.join(map(str, enum))}, got {value!r}")
        if isinstance(value, str):
            if min_length is not None and len(value) < min_length:
                raise _fail(place, "expected a non-empty string" if min_length == 1
                            else f"expected at least {min_length} characters")
            if max_length is not None and len(value) > max_length:
                raise _fail(place, f"expected at most {max_length} characters")
            if pattern is not None and not pattern.search(value):
                raise _fail(place, f"{value[:80]!r} does not match the pattern {schema['pattern']}")
        elif isinstance(value, (dict, list)) and depth >= MAX_DEPTH and value:
            raise _too_deep()
        elif isinstance(value, dict):
            _members(value, place, depth, required, properties, extra, extra_check)
        elif isinstance(value, list):
            if min_items is not None and len(value) < min_items:
                raise _fail(place, f"expected at least {min_items} items")
            if max_items is not None and len(value) > max_items:
                raise _fail(place, f"expected at most {max_items} items")
            for index, item in enumerate(value):
                if items is not None:
                    items(item, (place, index), depth + 1)
                elif isinstance(item, (list, dict)):
                    check_depth(item, MAX_DEPTH - depth)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if minimum is not None and value < minimum:
                raise _fail(place, f"expected at least {minimum}, got {value}")
            if maximum is not None and value > maximum:
                raise _fail(place, f"expected at most {maximum}, got {value}")
        if one_of is not None:
            one_of(value, place, depth)
        if any_of is not None:
            problems = []
            for option in any_of:
                try:
                    option(value, place, depth)
                    break
                except SchemaError as problem:
                    problems.append(problem)
            else:
                raise problems[0]

    return check


def _compile_one_of(options: list[dict[str, Any]], by_ref: Callable[[str], Check]) -> Check:
    compiled = [_compile(o, by_ref) for o in options]
    tags = [o.get("properties", {}).get("type", {}).get("const") for o in options]
    nullable = {"type": "null"} in options and len(options) == 2

    if all(isinstance(tag, str) for tag in tags):  # a tagged union (blocks, inlines): the one "type" names
        by_tag = dict(zip(tags, compiled, strict=True))

        def tagged(value: Any, place: Place, depth: int) -> None:
            if not isinstance(value, dict):
                raise _fail(place, f"expected an object, got {_kind(value)}")
            tag = value.get("type")
            chosen = by_tag.get(tag) if isinstance(tag, str) else None
            if chosen is None:
                raise _fail(place, f"unknown type {tag!r} (expected one of {', '.join(tags)})")
            chosen(value, place, depth)

        return tagged

    def exactly_one(value: Any, place: Place, depth: int) -> None:
        passed, problems = 0, []
        for option, check in zip(options, compiled, strict=True):
            try:
                check(value, place, depth)
                passed += 1
            except SchemaError as problem:
                problems.append((option, problem))
        if passed == 1:
            return
        if passed == 0 and nullable and value is not None:
            raise next(p for o, p in problems if o != {"type": "null"})  # null or a thing: what is wrong with it
        raise _fail(place, "matches none of the forms allowed here" if passed == 0
                    else "matches more than one of the forms allowed here (give exactly one)")

    return exactly_one
