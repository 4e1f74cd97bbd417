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
    comparison = _Comparison(old, new)
    comparison.compare(old, new, "$")
    return comparison.problems


def consumers_first(old: Schema, new: Schema) -> list[str]:
    """Compatible changes that older consumers would still refuse: values added to an enum."""
    comparison = _Comparison(old, new)
    comparison.compare(old, new, "$")
    return comparison.notices


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


class _Comparison:
    """One walk over an old and a new schema, collecting what breaks and what needs consumers first."""

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root, self.new_root = old_root, new_root
        self.problems: list[str] = []
        self.notices: list[str] = []
        self._seen: set[tuple[int, int]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        old, new = _resolve(old, self.old_root), _resolve(new, self.new_root)
        if (id(old), id(new)) in self._seen:
            return
        self._seen.add((id(old), id(new)))
        old_types, new_types = _types(old, self.old_root), _types(new, self.new_root)
        if old_types != new_types and "any" not in new_types:
            self.problems.append(f"{path}: type changed from {sorted(old_types)} to {sorted(new_types)}")
            return
        self._enums(old, new, path)
        self._properties(old, new, path)
        if "items" in old and "items" in new:
            self.compare(old["items"], new["items"], f"{path}[]")
        for key in ("anyOf", "oneOf"):
            old_options, new_options = old.get(key, []), new.get(key, [])
            if len(old_options) == len(new_options):
                for index, pair in enumerate(zip(old_options, new_options, strict=True)):
                    self.compare(*pair, f"{path}<{index}>")

    def _enums(self, old: Schema, new: Schema, path: str) -> None:
        if "enum" not in old or "enum" not in new:
            return
        removed = [value for value in old["enum"] if value not in new["enum"]]
        if removed:
            self.problems.append(f"{path}: enum values removed: {removed}")
        added = [value for value in new["enum"] if value not in old["enum"]]
        if added:
            self.notices.append(f"{path}: enum values added: {added} (deploy its consumers first)")

    def _properties(self, old: Schema, new: Schema, path: str) -> None:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        self.problems += [f"{path}.{name}: property removed" for name in old_props if name not in new_props]
        for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
            state = "became required" if name in old_props else "new required property"
            self.problems.append(f"{path}.{name}: {state}")
        for name, old_prop in old_props.items():
            if name in new_props:
                self.compare(old_prop, new_props[name], f"{path}.{name}")
