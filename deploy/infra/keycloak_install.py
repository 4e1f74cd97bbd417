"""Keycloak's prerequisites: a Java 21+, the distribution from Maven Central, and its build.

The distribution is fetched the way Kafka's jars are (Maven, into ``~/.m2`` and then the stack
folder), so the stack downloads nothing at run time beyond Maven.  ``kc.sh build`` fixes the
build-time options once (PostgreSQL, health checks, a local cache instead of a cluster); every
start is then ``start --optimized``, which skips Quarkus' re-augmentation.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

from deploy.infra.config import KEYCLOAK_ARTIFACT, KEYCLOAK_VERSION, InfraError, stack_dir
from deploy.infra.process import _flock, _run_logged, _say

PREFERRED_JAVA_HOME = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
MINIMUM_JAVA = 21
BUILD_OPTIONS: tuple[str, ...] = ("--db=postgres", "--health-enabled=true", "--cache=local")
"""Keycloak's build-time options; changing them makes the next start build again."""
_INSTALL_JAVA = (
    "Keycloak {version} needs Java {minimum}+: install one (e.g. `apt-get install -y "
    "temurin-25-jdk` or `openjdk-21-jre-headless`) or point TDKT_KEYCLOAK_JAVA_HOME at it"
)


def java_major(java: Path) -> int | None:
    """The major version ``java -version`` reports, or None when it does not run."""
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def find_java_home() -> Path:
    """``TDKT_KEYCLOAK_JAVA_HOME``, else Temurin 25, else any ``/usr/lib/jvm/*`` with Java 21+."""
    hint = _INSTALL_JAVA.format(version=KEYCLOAK_VERSION, minimum=MINIMUM_JAVA)
    override = os.environ.get("TDKT_KEYCLOAK_JAVA_HOME", "").strip()
    if override:
        home = Path(override).expanduser()
        major = java_major(home / "bin" / "java")
        if major is None or major < MINIMUM_JAVA:
            found = "no runnable bin/java" if major is None else f"Java {major}"
            raise InfraError(f"keycloak: TDKT_KEYCLOAK_JAVA_HOME={home} has {found}; {hint}")
        return home
    candidates = [PREFERRED_JAVA_HOME, *sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)]
    for home in candidates:
        if (home / "bin" / "java").exists() and (java_major(home / "bin" / "java") or 0) >= MINIMUM_JAVA:
            return home
    raise InfraError(f"keycloak: no Java {MINIMUM_JAVA}+ under /usr/lib/jvm; {hint}")


def distribution_dir() -> Path:
    return stack_dir() / "keycloak" / f"keycloak-{KEYCLOAK_VERSION}"


def ensure_distribution() -> Path:
    """Fetch the distribution zip with Maven and unpack it once; return its folder."""
    dist = distribution_dir()
    with _flock(dist.parent / ".install.lock", "keycloak"):
        if (dist / "bin" / "kc.sh").exists() and (dist / ".unpacked").exists():
            return dist
        mvn = shutil.which("mvn")
        if mvn is None:
            raise InfraError(
                f"keycloak: Maven (`mvn`) is needed once to fetch {KEYCLOAK_ARTIFACT}; "
                "install it with: apt-get install -y maven"
            )
        download = dist.parent / "download"
        log = stack_dir() / "logs" / "maven.log"
        _say("keycloak", f"fetching {KEYCLOAK_ARTIFACT} with Maven (log: {log})")
        t0 = time.monotonic()
        _run_logged(
            [
                mvn,
                "-B",
                "-q",
                "-ntp",
                "-Dstyle.color=never",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
                f"-Dartifact={KEYCLOAK_ARTIFACT}",
                f"-DoutputDirectory={download}",
            ],
            log,
            what="keycloak: Maven download of the distribution",
            cwd=dist.parent,
            timeout=1800,
        )
        archive = download / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        _unpack(archive, dist)
        shutil.rmtree(download, ignore_errors=True)  # Maven keeps its copy in ~/.m2
        _say("keycloak", f"unpacked Keycloak {KEYCLOAK_VERSION} into {dist} in {time.monotonic() - t0:.1f} s")
        return dist


def _unpack(archive: Path, dist: Path) -> None:
    if dist.exists():
        shutil.rmtree(dist)
    staging = dist.with_name(dist.name + ".unpacking")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(staging)
        # zipfile drops the permission bits: restore them (kc.sh must be executable)
        for info in zf.infolist():
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                (staging / info.filename).chmod(mode)
    inner = staging / f"keycloak-{KEYCLOAK_VERSION}"
    if not (inner / "bin" / "kc.sh").exists():
        raise InfraError(f"keycloak: {archive} has no keycloak-{KEYCLOAK_VERSION}/bin/kc.sh")
    inner.rename(dist)
    shutil.rmtree(staging)
    (dist / ".unpacked").write_text(f"{archive.name}\n")


def ensure_build(dist: Path, java_home: Path) -> None:
    """``kc.sh build`` with ``BUILD_OPTIONS``, once per set of options (about 11 s)."""
    digest = hashlib.sha256(" ".join(BUILD_OPTIONS).encode()).hexdigest()[:16]
    marker = dist / f".built-{digest}"
    if marker.exists():
        return
    _say("keycloak", f"kc.sh build {' '.join(BUILD_OPTIONS)} (once)")
    t0 = time.monotonic()
    _run_logged(
        [str(dist / "bin" / "kc.sh"), "build", *BUILD_OPTIONS],
        stack_dir() / "logs" / "keycloak-build.log",
        what="keycloak: kc.sh build",
        cwd=dist,
        env=dict(os.environ, JAVA_HOME=str(java_home)),
        timeout=900,
    )
    for old in dist.glob(".built-*"):
        old.unlink()
    marker.write_text(" ".join(BUILD_OPTIONS) + "\n")
    _say("keycloak", f"built in {time.monotonic() - t0:.1f} s")
