"""Fetch the pinned scripts the browser tests serve offline (MathJax, axe-core), without npm.

Reads ``tests/site/vendor.json`` (name -> npm registry tarball URL and its sha512
``integrity``), downloads each tarball, checks the checksum, and unpacks the package into
``tests/site/vendor/<name>``. A package already unpacked from the same checksum is left
alone, so running this again is instant. Standard library only: ``make test`` runs it with
the system's python3 before the virtual environment exists.

    python3 tests/site/fetch_vendor.py [--dest DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import posixpath
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE / "vendor.json"
DEST = HERE / "vendor"
STAMP = ".integrity"  # inside each unpacked package: the checksum it came from
TIMEOUT_S = 60


class FetchError(Exception):
    pass


def sha512_integrity(data: bytes) -> str:
    """The npm/SRI form of a checksum: ``sha512-<base64>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def unpack(data: bytes, target: Path) -> None:
    """Unpack an npm tarball (files under ``package/``) into ``target``; nothing else is written."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = posixpath.normpath(member.name)
            parts = name.split("/")
            if name.startswith("/") or ".." in parts:
                raise FetchError(f"unsafe path in tarball: {member.name!r}")
            if len(parts) < 2 or member.isdir():
                continue  # the top folder itself ("package"), or a folder: made as needed
            if not member.isfile():
                raise FetchError(f"not a regular file in tarball: {member.name!r}")
            out = target.joinpath(*parts[1:])
            out.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink)


def fetch(name: str, spec: dict, dest: Path) -> bool:
    """Make ``dest/name`` hold the package ``spec`` pins; True when it had to be downloaded."""
    target = dest / name
    stamp = target / STAMP
    if stamp.is_file() and stamp.read_text().strip() == spec["integrity"]:
        return False
    try:
        with urllib.request.urlopen(spec["url"], timeout=TIMEOUT_S) as response:
            data = response.read()
    except OSError as exc:
        raise FetchError(
            f"cannot download {name} {spec['version']} from {spec['url']}: {exc}\n"
            "  The browser tests need this one file from the npm registry (no npm needed); "
            "connect to the network and run `make test` again."
        ) from exc
    got = sha512_integrity(data)
    if got != spec["integrity"]:
        raise FetchError(
            f"checksum mismatch for {spec['url']}:\n  expected {spec['integrity']}\n  got      {got}"
        )
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=f".{name}-") as tmp:
        fresh = Path(tmp) / name
        unpack(data, fresh)
        (fresh / STAMP).write_text(spec["integrity"] + "\n")
        if target.exists():
            shutil.rmtree(target)
        fresh.rename(target)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEST, help=f"where to unpack (default {DEST})")
    parser.add_argument("--lock", type=Path, default=LOCK, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    packages = {k: v for k, v in json.loads(args.lock.read_text()).items() if not k.startswith("_")}
    for name, spec in packages.items():
        try:
            if fetch(name, spec, args.dest):
                print(f"fetched {name} {spec['version']} into {args.dest / name} (sha512 verified)")
        except FetchError as exc:
            print(f"fetch_vendor: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
