"""One-shot set-up of the bus: ``python -m servicekit.bootstrap`` creates every topic (and its
dead-letter twin) with ``TDKT_KAFKA_PARTITIONS`` partitions. Idempotent."""

from __future__ import annotations

import asyncio

from servicekit.kafka import ensure_topics
from servicekit.settings import KitSettings


def main() -> None:
    kit = KitSettings()
    created = asyncio.run(ensure_topics(kit))
    print(
        f"created {len(created)} topic(s) on {kit.kafka_bootstrap_servers}: {', '.join(created) or 'none needed'}"
    )


if __name__ == "__main__":
    main()
