"""The README's pictures of what people see, taken from the running stack (``make up``):

    .venv/bin/python -m tools.pictures [--out docs/images]

It walks one nomination to its decision with the demo, then saves the first page of the signed
decision and the nominee's certificate as PNG (pypdfium2), and a headless Chromium screenshot of
intake's API page (``/docs``, served without the Internet). Chromium comes from Debian's
``chromium`` package; without it the screenshot is skipped, with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pypdfium2 as pdfium

from clients.intake import ClientCredentials
from tools.demo import Endpoints, run_demo

REPOSITORY = Path(__file__).resolve().parent.parent
SCALE = 1.4
"""About 100 dots per inch: readable in a README without a large file."""


def pdf_page_png(pdf: bytes, target: Path, scale: float = SCALE) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        document[0].render(scale=scale).to_pil().save(target, optimize=True)
    finally:
        document.close()


def screenshot(url: str, target: Path, size: str = "1280,900") -> bool:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"no Chromium (apt-get install chromium): {target.name} not taken")
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                f"--window-size={size}",
                "--virtual-time-budget=5000",
                f"--screenshot={target}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return target.exists()


async def documents(endpoints: Endpoints) -> tuple[bytes, bytes]:
    """The signed decision and the first nominee's certificate of a nomination the demo walks."""
    result = await run_demo(endpoints, ClientCredentials.load(), say=lambda _: None)
    async with httpx.AsyncClient(timeout=60) as http:
        found = await http.get(
            f"{endpoints.decisions}/v1/decisions", params={"dossier_id": result.dossier_id}
        )
        decision_id = found.raise_for_status().json()[0]["decision_id"]
        decision = await http.get(f"{endpoints.decisions}/v1/decisions/{decision_id}/pdf")
        certificate = await http.get(f"{endpoints.decisions}/v1/decisions/{decision_id}/certificates/1")
    return decision.raise_for_status().content, certificate.raise_for_status().content


def take(out: Path) -> list[Path]:
    endpoints = Endpoints.from_environment()
    decision, certificate = asyncio.run(documents(endpoints))
    out.mkdir(parents=True, exist_ok=True)
    pdf_page_png(decision, out / "decision.png")
    pdf_page_png(certificate, out / "certificate.png")
    taken = [out / "decision.png", out / "certificate.png"]
    if screenshot(f"{endpoints.intake}/docs", out / "api-docs.png"):
        taken.append(out / "api-docs.png")
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pictures", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "docs" / "images")
    args = parser.parse_args(argv)
    for path in take(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
