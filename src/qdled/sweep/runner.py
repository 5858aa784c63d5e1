"""Chunked, checkpointed, resumable sweeps assembled into an ``xarray.Dataset``.

Every finished chunk is written atomically to ``OUT.parts/chunk-NNNNNN.npz`` beside a manifest
holding the sweep's specification and its digest. A sweep that is interrupted (Ctrl-C, a killed
worker or process) resumes with ``resume=True`` and computes only the missing chunks; the final
netCDF file (classic format, written with SciPy, no timestamps) is byte-identical to an
uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from qdled.errors import InputError
from qdled.sweep.design import Axis, grid_design, latin_hypercube_design, random_design


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: a base stack or recipe (TOML text), the varied axes, the design and the targets."""

    kind: Literal["stack", "recipe"]
    base_toml: str
    axes: tuple[Axis, ...]
    targets: tuple[str, ...]
    design: Literal["grid", "random", "lhs"] = "grid"
    n_samples: int = 0
    seed: int = 0
    chunk_size: int = 64
    options: dict = field(default_factory=dict)

    def points(self) -> np.ndarray:
        """The design's points, shape (n_points, n_axes)."""
        axes = list(self.axes)
        if self.design == "grid":
            return grid_design(axes)
        if self.n_samples <= 0:
            raise InputError(f"design {self.design!r} needs --samples > 0")
        if self.design == "random":
            return random_design(axes, self.n_samples, self.seed)
        return latin_hypercube_design(axes, self.n_samples, self.seed)

    @property
    def n_chunks(self) -> int:
        return -(-len(self.points()) // self.chunk_size)

    def to_json(self) -> str:
        d = asdict(self)
        d["axes"] = [{"key": a.key, "values": list(a.values)} for a in self.axes]
        return json.dumps(d, sort_keys=True)

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]


def evaluate_chunk(spec: SweepSpec, chunk: int) -> dict[str, np.ndarray]:
    """Evaluate the targets for the points of chunk number ``chunk`` (runs on a worker)."""
    from qdled.sweep.targets import evaluator

    pts = spec.points()[chunk * spec.chunk_size : (chunk + 1) * spec.chunk_size]
    out = evaluator(spec.kind)(spec, pts)
    return {t: np.asarray(out[t], dtype=float) for t in spec.targets}


def _chunk_path(parts: Path, i: int) -> Path:
    return parts / f"chunk-{i:06d}.npz"


def _save_chunk(parts: Path, i: int, result: dict[str, np.ndarray]) -> None:
    tmp = parts / f".chunk-{i:06d}.tmp.npz"
    np.savez(tmp, **result)
    os.replace(tmp, _chunk_path(parts, i))


def _prepare_parts(spec: SweepSpec, parts: Path, resume: bool) -> None:
    from importlib.metadata import version

    manifest = parts / "manifest.json"
    code = version("qdled")
    if parts.exists() and not any(parts.glob("chunk-*.npz")):
        shutil.rmtree(parts)  # a sweep that failed before finishing any chunk: nothing to keep
    if parts.exists():
        if not resume:
            raise InputError(f"a partial sweep exists in {parts}; pass --resume to finish it (or delete it)")
        meta = json.loads(manifest.read_text()) if manifest.exists() else {}
        if meta.get("digest") != spec.digest():
            raise InputError(f"{parts} holds a different sweep; delete it or run the same sweep with --resume")
        if meta.get("qdled_version") != code:
            raise InputError(
                f"{parts} was computed by qdled {meta.get('qdled_version')}, this is {code}: "
                "delete it rather than mix results of two model versions"
            )
        return
    parts.mkdir(parents=True)
    manifest.write_text(
        json.dumps({"digest": spec.digest(), "qdled_version": code, "spec": json.loads(spec.to_json())}, indent=1)
    )


def run_sweep(
    spec: SweepSpec,
    out_path: str | os.PathLike,
    *,
    executor=None,
    resume: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
):
    """Run ``spec``, checkpointing chunks, and write the assembled dataset to ``out_path`` (netCDF).

    Parameters
    ----------
    spec : the sweep.
    out_path : netCDF file to write; refused if it exists unless ``force``.
    executor : from :func:`qdled.sweep.executors.make_executor` (default: serial).
    resume : finish a sweep whose checkpoints exist in ``OUT.parts``.
    progress : called as ``progress(done_chunks, total_chunks)``.

    Returns
    -------
    xarray.Dataset
    """
    from qdled.io.atomic import check_new_file
    from qdled.sweep.executors import SerialExecutor

    out = check_new_file(out_path, force=force)
    parts = Path(str(out) + ".parts")
    _prepare_parts(spec, parts, resume)
    n_chunks = spec.n_chunks
    todo = [i for i in range(n_chunks) if not _chunk_path(parts, i).exists()]
    done = n_chunks - len(todo)
    if progress:
        progress(done, n_chunks)
    executor = executor or SerialExecutor()
    if spec.kind == "stack" and todo and getattr(executor, "name", "") != "dask":
        from qdled.sweep.executors import warm_up

        warm_up()  # load the optical constants once here: forked pool workers inherit them
    for i, result in executor.map_unordered(partial(evaluate_chunk, spec), todo):
        _save_chunk(parts, i, result)
        done += 1
        if progress:
            progress(done, n_chunks)
    ds = assemble(spec, parts)
    from qdled.io.atomic import atomic_path

    with atomic_path(out, force=True) as tmp:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
    shutil.rmtree(parts)
    return ds


def _var(key: str) -> str:
    """netCDF-safe variable name for a parameter key (':' is not allowed)."""
    return key.replace(":", "_")


_UNIT_SUFFIXES = {"nm": "nm", "mmol": "mmol", "C": "degC", "s": "s", "mL": "mL", "g": "g", "eV": "eV", "K": "K"}


def _units(name: str) -> str:
    """Units of a swept key or a target from its name (``thickness_nm`` -> nm); dimensionless otherwise."""
    field = name.rpartition(".")[2]
    return _UNIT_SUFFIXES.get(field.rpartition("_")[2], "1") if "_" in field else "1"


def assemble(spec: SweepSpec, parts: Path):
    """Join the chunks in order into an ``xarray.Dataset`` (grid: one dim per axis; else dim ``point``)."""
    import xarray as xr

    chunks = [np.load(_chunk_path(parts, i)) for i in range(spec.n_chunks)]
    data = {t: np.concatenate([c[t] for c in chunks]) for t in spec.targets}
    attrs = {"qdled_sweep": spec.to_json(), "kind": spec.kind, "design": spec.design}
    if spec.design == "grid":
        shape = tuple(len(a.values) for a in spec.axes)
        dims = [_var(a.key) for a in spec.axes]
        coords = {
            _var(a.key): (_var(a.key), np.asarray(a.values), {"key": a.key, "units": _units(a.key)}) for a in spec.axes
        }
        return xr.Dataset(
            {t: (dims, v.reshape(shape), {"units": _units(t)}) for t, v in data.items()}, coords=coords, attrs=attrs
        )
    pts = spec.points()
    coords = {
        _var(a.key): ("point", pts[:, j], {"key": a.key, "units": _units(a.key)}) for j, a in enumerate(spec.axes)
    }
    coords["point"] = ("point", np.arange(len(pts)))
    return xr.Dataset({t: ("point", v, {"units": _units(t)}) for t, v in data.items()}, coords=coords, attrs=attrs)


def best(ds, target: str, minimize: bool = False) -> dict:
    """The design point with the best ``target`` value: {key: value, ..., target: value}."""
    da = ds[target]
    flat = np.asarray(da.values).ravel()
    if not np.any(np.isfinite(flat)):
        raise InputError(f"no finite values of {target!r} in the sweep")
    i = int(np.nanargmin(flat) if minimize else np.nanargmax(flat))
    idx = np.unravel_index(i, da.shape)
    point = da[dict(zip(da.dims, idx, strict=False))]
    out = {ds[c].attrs.get("key", c): float(point[c]) for c in point.coords if c != "point"}
    out[target] = float(point.values)
    return out
