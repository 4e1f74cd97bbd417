"""Backward-compatibility check between two JSON Schemas of one published contract.

A consumer built on the old schema must keep reading what producers write under the new one
(and the reverse), so a change may only add optional properties. Reported as breaking:
a removed property, a changed type, a property that became required or a new required one.
References (``$ref`` into ``$defs``) are followed on both sides.

A new value of an enum is not breaking for the schema, but it is for the running system: a
consumer built before it refuses an event that carries it (a new review level, say). ``consumers_first``
lists such changes so that whoever publishes them deploys every consumer of the event first.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    problems: list[str] = []
    _compare(old, new, old, new, "$", problems, [], seen=set())
    return problems


def consumers_first(old: Schema, new: Schema) -> list[str]:
    """Compatible changes that older consumers would still refuse: values added to an enum."""
    notices: list[str] = []
    _compare(old, new, old, new, "$", [], notices, seen=set())
    return notices


def _resolve(node: Schema, root: Schema) -> Schema:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _types(node: Schema, root: Schema) -> set[str]:
    node = _resolve(node, root)
    if "type" in node:
        kinds = node["type"]
        return set(kinds) if isinstance(kinds, list) else {kinds}
    if "const" in node:
        return {f"const:{node['const']!r}"}
    if "enum" in node:
        return {"enum"}
    for key in ("anyOf", "oneOf"):
        if key in node:
            return set().union(*(_types(option, root) for option in node[key]))
    return {"any"}


def _compare(
    old: Schema,
    new: Schema,
    old_root: Schema,
    new_root: Schema,
    path: str,
    problems: list[str],
    notices: list[str],
    seen: set[tuple[int, int]],
) -> None:
    old = _resolve(old, old_root)
    new = _resolve(new, new_root)
    if (id(old), id(new)) in seen:
        return
    seen.add((id(old), id(new)))

    old_types, new_types = _types(old, old_root), _types(new, new_root)
    if old_types != new_types and "any" not in new_types:
        problems.append(f"{path}: type changed from {sorted(old_types)} to {sorted(new_types)}")
        return
    if "enum" in old and "enum" in new:
        removed = [value for value in old["enum"] if value not in new["enum"]]
        if removed:
            problems.append(f"{path}: enum values removed: {removed}")
        added = [value for value in new["enum"] if value not in old["enum"]]
        if added:
            notices.append(f"{path}: enum values added: {added} (deploy its consumers first)")

    old_props: Schema = old.get("properties", {})
    new_props: Schema = new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"{path}.{name}: property removed")
    old_required = set(old.get("required", []))
    for name in sorted(set(new.get("required", [])) - old_required):
        state = "became required" if name in old_props else "new required property"
        problems.append(f"{path}.{name}: {state}")
    for name, old_prop in old_props.items():
        if name in new_props:
            _compare(old_prop, new_props[name], old_root, new_root, f"{path}.{name}", problems, notices, seen)

    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_root, new_root, f"{path}[]", problems, notices, seen)
    for key in ("anyOf", "oneOf"):
        old_options, new_options = old.get(key, []), new.get(key, [])
        if len(old_options) == len(new_options):
            for index, (old_option, new_option) in enumerate(zip(old_options, new_options, strict=True)):
                _compare(
                    old_option, new_option, old_root, new_root, f"{path}<{index}>", problems, notices, seen
                )
