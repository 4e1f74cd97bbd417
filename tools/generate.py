"""Generate the committed contract documents from the code:

- ``contracts/schemas/<event type>.json`` and ``contracts/schemas/dossier-submission.v1.json``
  (JSON Schema of every published event and of the submission body),
- ``docs/api/<service>.openapi.json`` (every HTTP service),
- ``docs/api/<process>.asyncapi.json`` (every process on the bus, AsyncAPI 3.0).

``python -m tools.generate`` writes them; it refuses to overwrite a published event schema with
a backward-incompatible one (publish a new ``.vN`` type instead). ``--check`` writes nothing and
exits 1 when a committed document is stale or a change would break compatibility.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts.compat import breaking_changes, consumers_first
from contracts.dossiers import DossierSubmission, DossierSubmissionRequested
from contracts.envelope import CloudEvent
from contracts.events import ALL_EVENT_TYPES, event_type_name
from contracts.webhooks import DossierNotice
from servicekit.kafka import asyncapi_document
from servicekit.settings import REPOSITORY_ROOT

SCHEMA_DIR = REPOSITORY_ROOT / "contracts" / "schemas"
API_DIR = REPOSITORY_ROOT / "docs" / "api"
SERVICES = ("intake", "review", "decisions", "notifications")


PUBLISHED_EVENTS: tuple[type[CloudEvent], ...] = (*ALL_EVENT_TYPES, DossierSubmissionRequested, DossierNotice)


def event_schemas() -> dict[Path, dict[str, Any]]:
    documents = {
        SCHEMA_DIR / f"{event_type_name(event)}.json": event.model_json_schema(mode="serialization")
        for event in PUBLISHED_EVENTS
    }
    documents[SCHEMA_DIR / "dossier-submission.v1.json"] = DossierSubmission.model_json_schema()
    return documents


def api_documents() -> dict[Path, dict[str, Any]]:
    import importlib

    from servicekit.settings import KitSettings
    from servicekit.telemetry import setup_tracing
    from workflows.worker import build_broker

    documents: dict[Path, dict[str, Any]] = {}
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.app")
        build: Callable[[], Any] = module.build
        app, runtime = build()
        documents[API_DIR / f"{name}.openapi.json"] = app.openapi()
        documents[API_DIR / f"{name}.asyncapi.json"] = asyncapi_document(
            runtime.broker, title=app.title, description=app.description
        )
    worker_broker = build_broker(KitSettings(), setup_tracing("tdkt-worker"))
    documents[API_DIR / "worker.asyncapi.json"] = asyncapi_document(
        worker_broker,
        title="TĐKT Review Worker",
        description="The Temporal worker running the review workflow.",
    )
    return documents


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="write nothing; fail when anything differs")
    args = parser.parse_args(argv)

    failures: list[str] = []
    notices: list[str] = []
    schemas = event_schemas()
    for path, document in schemas.items():
        if path.exists():
            committed = json.loads(path.read_text())
            failures += [f"{path.name}: {problem}" for problem in breaking_changes(committed, document)]
            notices += [f"{path.name}: {notice}" for notice in consumers_first(committed, document)]
    if failures:
        print("Backward-incompatible change to a published schema:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    if notices:
        print(
            "Deploy consumers first — values older consumers refuse:", *notices, sep="\n  ", file=sys.stderr
        )

    stale = []
    for path, document in {**schemas, **api_documents()}.items():
        text = render(document)
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(REPOSITORY_ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if args.check and stale:
        print("Stale generated documents (run `make docs`):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
