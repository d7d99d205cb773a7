"""Refresh the vendored front-end files from the npm registry.

Run by hand when a version changes (``python -m kano.adapters.web.vendoring``); never at
run time. Kano serves every script itself so that a self-hosted install works offline and
the Content-Security-Policy can stay at ``'self'``.

Charts run without ``'unsafe-eval'``: vega-embed 7 bundles vega-interpreter and uses it
when called with ``ast: true``, so no separate interpreter file is needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"


@dataclass(frozen=True)
class VendoredPackage:
    """One npm package: which of its built files we copy, under which name."""

    name: str
    version: str
    files: dict[str, str] = field(default_factory=dict)


PACKAGES: tuple[VendoredPackage, ...] = (
    # htmx 2: attributes such as hx-headers on <body> are inherited (htmx 4 made that opt-in).
    VendoredPackage("htmx.org", "2.0.11", {"dist/htmx.min.js": "htmx.min.js"}),
    VendoredPackage("vega", "6.4.0", {"build/vega.min.js": "vega.min.js"}),
    VendoredPackage("vega-lite", "6.5.0", {"build/vega-lite.min.js": "vega-lite.min.js"}),
    VendoredPackage("vega-embed", "7.3.0", {"build/vega-embed.min.js": "vega-embed.min.js"}),
    # The API reference at /api/v1/docs. Swagger UI rather than Redoc: its bundle styles
    # itself from one .css file, so the page runs under the site's style-src 'self', where
    # Redoc's standalone build injects <style> elements (styled-components) and would need
    # 'unsafe-inline'; it has "Try it out" with the Authorize button, which Redoc lacks;
    # and SmartBear releases it every few weeks. About 2 MB (bundle js + css), loaded by
    # that one page only. No standalone preset: it only adds the top bar's URL box.
    # Apache-2.0 asks for the NOTICE to travel with it; the bundle's third-party licences
    # sit beside it. From 5.33 it keeps only the on-screen operations of a long list in the
    # page; static/js/api-reference.js renders them all, and after a version change
    # tests/e2e/test_api_reference_browser.py checks that it still does.
    VendoredPackage(
        "swagger-ui-dist",
        "5.36.0",
        {
            "swagger-ui-bundle.js": "swagger-ui-bundle.js",
            "swagger-ui.css": "swagger-ui.css",
            "NOTICE": "NOTICE.swagger-ui-dist",
            "swagger-ui-bundle.js.LICENSE.txt": "LICENSE.swagger-ui-bundle.js.txt",
        },
    ),
)

_SOURCE_MAP = re.compile(
    r"^(?://# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+?\s*\*/)[ \t]*$", re.MULTILINE
)


def _without_source_map(script: str) -> str:
    """Source maps are not shipped, so drop the reference (browsers would ask for it):
    ``//# sourceMappingURL=…`` in scripts, ``/*# sourceMappingURL=… */`` in style sheets."""
    return _SOURCE_MAP.sub("", script)


def _unpack(package: VendoredPackage, workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"{package.name}@{package.version}", "--pack-destination", str(workdir)],
        check=True, capture_output=True,
    )
    tarball = workdir / f"{package.name}-{package.version}.tgz"
    target = workdir / package.name
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def refresh(vendor_dir: Path = VENDOR_DIR) -> None:
    """Download the pinned packages and copy their built files and licences."""
    vendor_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            unpacked = _unpack(package, Path(tmp))
            for source, target in package.files.items():
                text = _without_source_map((unpacked / source).read_text(encoding="utf-8"))
                (vendor_dir / target).write_text(text, encoding="utf-8")
            shutil.copyfile(unpacked / "LICENSE", vendor_dir / f"LICENSE.{package.name}")
    versions = "\n".join(f"- {p.name} {p.version}" for p in PACKAGES)
    (vendor_dir / "VERSIONS.md").write_text(
        "# Vendored front-end packages\n\nFrom the npm registry by "
        f"`python -m kano.adapters.web.vendoring`:\n\n{versions}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    refresh()
