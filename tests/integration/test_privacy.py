"""Personal data sent to the services reaches neither their logs nor their exported spans."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Pipeline
from tools.waiting import eventually

IDENTITY_NUMBER = "001203004567"
PHONE = "0912345678"
EMAIL = "minh.khai.private@example.vn"


async def test_personal_data_in_requests_is_masked_in_logs_and_spans(pipeline: Pipeline) -> None:
    query = f"{PHONE} {IDENTITY_NUMBER} {EMAIL}"
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{pipeline.endpoints.decisions}/v1/decisions", params={"nominee": query})
    assert response.status_code == 200
    trace_id = response.headers["X-Trace-Id"]

    def exported() -> str | None:
        spans = pipeline.collector.trace(trace_id)
        text = "\n".join(span.text for span in spans)
        return text if "[số điện thoại]" in text else None

    masked = await eventually(exported, timeout=30, what="the request's spans, with the query masked")
    assert "[số định danh]" in masked and "m***@example.vn" in masked
    everything = "\n".join(span.text for span in pipeline.collector.spans)
    logs = "\n".join(process.log_file.read_text(errors="replace") for process in pipeline.processes)
    assert "[số điện thoại]" in logs, "the access log recorded the request, masked"
    for value in (IDENTITY_NUMBER, PHONE, EMAIL):
        assert value not in everything, f"{value} in a span"
        assert value not in logs, f"{value} in a log"
