"""A webhook is sent to the address its host was checked at (``channels.webhook``), over real TLS:
the connection goes to that address while the server name and the certificate check keep the
host's name — a certificate for another name is refused."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.notifications.channels import webhook
from services.notifications.channels.base import Outgoing, SendFailed
from services.notifications.rendering import Links

NAME = "hooks.test"
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(AT - timedelta(days=1))
        .not_valid_after(AT + timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@dataclass
class TlsReceiver:
    port: int
    trust: ssl.SSLContext
    server_names: list[str | None] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[TlsReceiver]:
    cert_file, key_file = _certificate(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert_file, key_file)
    trust = ssl.create_default_context(cafile=str(cert_file))
    state = TlsReceiver(0, trust)
    server_side.sni_callback = lambda _socket, name, _context: state.server_names.append(name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
        state.hosts.append(headers.get("Host", headers.get("host", "")))
        await reader.readexactly(int(headers.get("Content-Length", headers.get("content-length", "0"))))
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_side)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


async def _send(receiver: TlsReceiver, host: str) -> str:
    async def resolve(name: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # every name is this receiver (a test: loopback counts as public below)

    transport = httpx.AsyncHTTPTransport(
        verify=receiver.trust, limits=httpx.Limits(max_keepalive_connections=0)
    )
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        channel = webhook.WebhookChannel(http, Links("https://decisions.test"), resolve)
        return await channel.send(
            Outgoing(
                delivery_id="delivery-1",
                attempt=1,
                target="demo-integrator",
                subject="s",
                body="{}",
                data={},
                route={"url": f"https://{host}:{receiver.port}/hook", "secret": "whsec_test"},
                at=AT,
            )
        )


async def test_a_pinned_webhook_is_verified_against_its_hosts_name(
    receiver: TlsReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "is_public", lambda address: True)
    assert await _send(receiver, NAME) == "HTTP 204"
    assert receiver.server_names == [NAME], "TLS asked for the name, not the address"
    assert receiver.hosts == [f"{NAME}:{receiver.port}"]

    with pytest.raises(SendFailed) as refused:  # the same address under a name its certificate lacks
        await _send(receiver, "other.test")
    assert refused.value.reason == "TLS error"


async def test_a_loopback_address_is_refused_at_send_time(receiver: TlsReceiver) -> None:
    with pytest.raises(SendFailed) as refused:
        await _send(receiver, NAME)
    assert (refused.value.reason, receiver.hosts) == ("address not public", [])
