"""Baseline (c): a bare FastAPI + SQLModel service that inserts the submitted dossier as it comes
— no authentication, validation, eligibility, audit chain or outbox — on the same database server,
served the same way (uvicorn, one process).

    python -m tools.bench.bare_intake --database-url URL --port PORT
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import uvicorn
from fastapi import Body, FastAPI
from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, create_engine


class BareDossier(SQLModel, table=True):
    __tablename__ = "bare_dossier"

    id: str = Field(primary_key=True, max_length=36)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime


def build_app(database_url: str) -> FastAPI:
    engine = create_engine(database_url, pool_size=5, max_overflow=10)
    SQLModel.metadata.create_all(engine)
    app = FastAPI()

    @app.get("/health/ready")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/v1/dossiers", status_code=201)
    def submit(body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
        dossier = BareDossier(id=str(uuid.uuid4()), body=body, created_at=datetime.now(UTC))
        with Session(engine, expire_on_commit=False) as session:
            session.add(dossier)
            session.commit()
        return {"dossier_id": dossier.id}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.bare_intake")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(args.database_url), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
