"""Models written by the user in the DSL, from Python: :func:`compile` builds ``#[neuron]`` and
``#[synapse]`` structs with the installed Rust toolchain into an extension module of their own,
cached by the hash of the source, and returns its network class and model classes.

Rust objects cannot cross two separately built extension modules, so the compiled module
carries the runtime, every built-in model and the user's models: a network of the compiled
module (``compiled.Network``) takes both, and a network of the package (``neurode.Network``)
refuses the user's models with a ``TypeError`` naming the module they belong to.

The module is a user's crate of the Rust route (the README's Python section): the user's file
and one ``neurode_python::export!`` line, built against the neurode sources the package was
built from (their directory is recorded in the package; a package installed from a wheel
without them cannot compile). All modules of one cache share a target directory, so the
runtime and the built-in models are built once, not once per source.
"""

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

from . import _neurode

__all__ = ["compile", "extension", "CompileError", "Compiled"]


class CompileError(Exception):
    """The toolchain refused the source: the message holds its diagnostics, which point at the
    lines of the source (a string is written to ``models.rs`` in the cache directory, named in
    the message)."""


class Compiled:
    """A compiled module: ``Network`` (a :class:`neurode.Network` of this module), ``models``
    (every model class by name, the user's and the built-ins), ``user_models`` (the names of the
    user's), ``path`` (the module's file) and ``cached`` (whether it was found in the cache)."""

    def __init__(self, module, path, cached):
        from . import Network
        from .models import MODELS, _make

        self.module, self.path, self.cached = module, path, cached
        self.models = dict(MODELS)
        self.user_models = []
        for info in module.models():
            if info["name"] in MODELS or info["name"] in ("PoissonSource", "SpikeTrain"):
                continue
            cls = _make(info)
            cls._backend = module
            self.models[info["name"]] = cls
            self.user_models.append(info["name"])
        self.Network = type("Network", (Network,), {"_backend": module, "__module__": __name__})

    def __getattr__(self, name):
        try:
            return self.__dict__["models"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        return f"Compiled({', '.join(self.user_models)} in {self.path})"


_MODEL = re.compile(r"#\[\s*(neuron|synapse)\b")
_STRUCT = re.compile(r"\bstruct\s+([A-Za-z_][A-Za-z0-9_]*)")


def _models_in(source):
    """The (kind, struct name) of every ``#[neuron]`` / ``#[synapse]`` struct, in order."""
    found = []
    for m in _MODEL.finditer(source):
        s = _STRUCT.search(source, m.end())
        if s:
            found.append((m.group(1), s.group(1)))
    return found


def _toolchain():
    try:
        out = subprocess.run(["rustc", "-V"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise CompileError(f"neurode.compile needs a Rust toolchain (rustc): {e}") from None
    return out.stdout.strip()


def _cache_root(cache_dir):
    if cache_dir is not None:
        return pathlib.Path(cache_dir)
    base = os.environ.get("NEURODE_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return pathlib.Path(base) / "neurode" if base else pathlib.Path.home() / ".cache" / "neurode"


def _write_crate(crate, name, key, models, source_path, src_dir):
    """The crate of the module: a user's crate as the Rust route has it (see the README), the
    user's source included from its file and exported with ``neurode_python::export!``."""
    src = crate / "src"
    src.mkdir(parents=True, exist_ok=True)
    listed = {
        kind: ", ".join(struct for k, struct in models if k == kind) for kind in ("neuron", "synapse")
    }
    (src / "lib.rs").write_text(
        "//! The user's models (made by neurode.compile), included from their file.\n"
        "#![allow(missing_docs, non_snake_case, dead_code)]\n"
        "use neurode::prelude::*;\n"
        f"include!({json.dumps(str(source_path))});\n"
        f"neurode_python::export!({name} {{ neurons: [{listed['neuron']}], "
        f"synapses: [{listed['synapse']}] }});\n"
    )
    manifest = (src_dir / "Cargo.toml").read_text()
    # The package's release profile, so that the built-in models give the same numbers.
    profile = manifest[manifest.index("[profile.release]") :]
    neurode_dir = (src_dir / "..").resolve()
    (crate / "Cargo.toml").write_text(
        "[package]\n"
        f'name = "neurode-user-{key}"\n'
        'version = "0.1.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "[workspace]\n\n"
        "[lib]\n"
        f'name = "{name}"\n'
        'crate-type = ["cdylib"]\n\n'
        "[dependencies]\n"
        f"neurode = {{ path = {json.dumps(str(neurode_dir))} }}\n"
        f"neurode-python = {{ path = {json.dumps(str(src_dir.resolve()))} }}\n\n" + profile
    )
    lock = src_dir / "Cargo.lock"
    if lock.exists() and not (crate / "Cargo.lock").exists():
        shutil.copy(lock, crate / "Cargo.lock")
    # The same code generation as the package's (the tree's .cargo/config.toml).
    config = neurode_dir / ".cargo" / "config.toml"
    if config.exists():
        (crate / ".cargo").mkdir(exist_ok=True)
        shutil.copy(config, crate / ".cargo" / "config.toml")


def _tree_hash(src_dir):
    """A hash of the neurode sources a module is built from (the package's Rust, the runtime,
    the macros, the models, their manifests and lock files): a cached module built from other
    sources is not reused."""
    h = hashlib.sha256()
    root = (src_dir / "..").resolve()
    files = [src_dir / "Cargo.toml", src_dir / "Cargo.lock", root / "Cargo.toml"]
    for sub in ("python/src", "runtime/src", "macros/src", "models/src", "src"):
        files.extend(sorted((root / sub).rglob("*.rs")))
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def compile(source, *, cache_dir=None, verbose=False):
    """Builds the ``#[neuron]`` / ``#[synapse]`` structs of ``source`` (Rust code, or the path
    of a ``.rs`` file; ``use neurode::prelude::*`` is in scope) into an extension module and
    returns it as a :class:`Compiled`. The module is cached by the hash of the source, the
    toolchain, the package's version and the neurode sources it is built from: the same source
    again is imported, not rebuilt. A
    first build takes minutes (the runtime and every model are built into the module).

    Raises :class:`CompileError` with the toolchain's diagnostics."""
    path = pathlib.Path(source) if len(source) < 4096 and "\n" not in source else None
    if path is not None and path.suffix == ".rs" and path.is_file():
        text = path.read_text()
    else:
        path, text = None, source
    models = _models_in(text)
    if not models:
        raise CompileError("the source declares no #[neuron] or #[synapse] struct")
    src_dir = pathlib.Path(_neurode.source_dir())
    if not (src_dir / "src" / "registry.rs").is_file():
        raise CompileError(
            f"the neurode sources this package was built from are gone ({src_dir}): "
            "reinstall it from a neurode checkout (pip install ./python)"
        )
    toolchain = _toolchain()
    key = hashlib.sha256(
        "\0".join([text, toolchain, _neurode.__version__, _tree_hash(src_dir)]).encode()
    ).hexdigest()[:16]
    name = f"_neurode_user_{key}"
    root = _cache_root(cache_dir)
    crate = root / key
    built = crate / f"{name}.abi3.so"
    cached = built.exists()
    if not cached:
        crate.mkdir(parents=True, exist_ok=True)
        source_path = path.resolve() if path is not None else crate / "models.rs"
        if path is None:
            source_path.write_text(text)
        _write_crate(crate, name, key, models, source_path, src_dir)
        env = dict(os.environ, CARGO_TARGET_DIR=str(root / "target"))
        run = subprocess.run(
            ["cargo", "build", "--release", "--message-format=short"],
            cwd=crate,
            env=env,
            capture_output=not verbose,
            text=True,
        )
        if run.returncode != 0:
            errors = run.stderr if run.stderr else ""
            raise CompileError(
                "the models did not compile:\n"
                + "\n".join(
                    line for line in errors.splitlines() if not line.lstrip().startswith("Compiling")
                )
            )
        lib = root / "target" / "release" / (f"lib{name}.so" if sys.platform != "darwin" else f"lib{name}.dylib")
        tmp = built.with_suffix(".tmp")
        shutil.copy(lib, tmp)
        os.replace(tmp, built)
    loader = importlib.machinery.ExtensionFileLoader(name, str(built))
    spec = importlib.util.spec_from_file_location(name, built, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return Compiled(module, built, cached)


def extension(module):
    """The :class:`Compiled` of an extension module a user's crate made with
    ``neurode_python::export!`` (the Rust route, see the README): ``.Network``, ``.models``
    (with the crate's models beside the built-ins) and ``.user_models``.

    Raises ``TypeError`` for a module that is not a neurode extension module."""
    if not hasattr(module, "Network") or not hasattr(module, "models"):
        raise TypeError(f"{module!r} is not a neurode extension module (neurode_python::export!)")
    return Compiled(module, pathlib.Path(getattr(module, "__file__", "") or ""), cached=False)
