"""Refresh the vendored front-end files from the npm registry.

Run by hand when a version changes (``python -m kano.adapters.web.vendoring``); never at
run time. Kano serves every script itself so that a self-hosted install works offline and
the Content-Security-Policy can stay at ``'self'``.

vega-interpreter ships only as an ES module that imports ``vega-util`` by its bare name,
which a browser cannot resolve without an inline import map (and an inline script would
need a CSP exception). Its one import is re-exported by the vega bundle, so it is wrapped
into a classic script that takes those names from ``window.vega`` instead.
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
    VendoredPackage("vega-interpreter", "2.3.2", {}),
)

_INTERPRETER_IMPORT = re.compile(r"^import \{ ([\w, ]+) \} from 'vega-util';$", re.MULTILINE)
_INTERPRETER_EXPORT = re.compile(r"^export \{ expression as expressionInterpreter \};$", re.MULTILINE)


def wrap_interpreter(module_source: str) -> str:
    """The vega-interpreter ES module as a classic script defining ``window.vegaInterpreter``."""
    imported = _INTERPRETER_IMPORT.search(module_source)
    if imported is None or not _INTERPRETER_EXPORT.search(module_source):
        raise ValueError("vega-interpreter changed shape; update wrap_interpreter()")
    body = _INTERPRETER_IMPORT.sub("", module_source)
    body = _INTERPRETER_EXPORT.sub("", body)
    return (
        "/* vega-interpreter, wrapped by kano.adapters.web.vendoring (BSD-3-Clause, see "
        "LICENSE.vega-interpreter) */\n"
        "(function (vega) {\n'use strict';\n"
        f"const {{ {imported.group(1)} }} = vega;\n"
        f"{body}\n"
        "window.vegaInterpreter = { expressionInterpreter: expression };\n"
        "})(window.vega);\n"
    )


def _unpack(package: VendoredPackage, workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", f"{package.name}@{package.version}", "--pack-destination", str(workdir)],
        check=True, capture_output=True,
    )
    tarball = next(workdir.glob(f"{package.name.replace('.', '.')}-{package.version}.tgz"))
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
                text = (unpacked / source).read_text(encoding="utf-8")
                # Source maps are not shipped, so drop the reference to avoid 404s.
                text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)
                (vendor_dir / target).write_text(text, encoding="utf-8")
            if package.name == "vega-interpreter":
                module = (unpacked / "build" / "vega-interpreter.js").read_text(encoding="utf-8")
                (vendor_dir / "vega-interpreter.js").write_text(
                    wrap_interpreter(module), encoding="utf-8"
                )
            shutil.copyfile(unpacked / "LICENSE", vendor_dir / f"LICENSE.{package.name}")
    versions = "\n".join(f"- {p.name} {p.version}" for p in PACKAGES)
    (vendor_dir / "VERSIONS.md").write_text(
        "# Vendored front-end packages\n\nFrom the npm registry by "
        f"`python -m kano.adapters.web.vendoring`:\n\n{versions}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    refresh()
