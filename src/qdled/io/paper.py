"""The seed paper's numbers as data (``qdled/data/paper/li2024.toml``), and the record of what was fitted to them.

Li, Y. et al. Stable and efficient CsPbI3 quantum-dot light-emitting diodes with strong
quantum confinement. Nat. Commun. 15, 5696 (2024).

* :func:`paper_values` -- the **results** the model is compared with (``[values]`` of the file); the report
  has one row per result.
* :func:`paper_conditions` -- the **conditions** stated with them (initial luminance of a lifetime test,
  storage time, layer thicknesses as built, pixel area): inputs of the model, never compared.
* :func:`paper_value` -- one number of either kind, by key. Code takes every number of the paper from here,
  by name, and never types it again.
* :class:`Calibrated` -- the one provenance record of a model parameter fitted to results of the paper. Every
  stage lists its fitted parameters as ``CALIBRATED`` mappings of these records (``qdled.synthesis``,
  ``qdled.dots``, ``qdled.device``); whether a model number is calibrated or predicted is derived from them
  (:func:`status`), never typed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from qdled.errors import InputError

__all__ = [
    "Calibrated",
    "PaperValue",
    "fitted_keys",
    "paper_binding_energies_eV",
    "paper_conditions",
    "paper_value",
    "paper_values",
    "status",
]


@dataclass(frozen=True)
class PaperValue:
    """One number of the paper: value, unit and where it is stated."""

    key: str
    value: float
    unit: str
    source: str


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, PaperValue]]:
    text = resources.files("qdled.data").joinpath("paper/li2024.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {
        table: {k: PaperValue(k, float(v["value"]), v["unit"], v["source"]) for k, v in raw.get(table, {}).items()}
        for table in ("values", "conditions")
    }


def paper_values() -> dict[str, PaperValue]:
    """The paper's results, keyed ``<sample>.<quantity>`` (e.g. ``"nsa_pf6.peak_eqe"``)."""
    return dict(_tables()["values"])


def paper_conditions() -> dict[str, PaperValue]:
    """The conditions and build parameters the paper states (e.g. ``"nsa_pf6.t50_l0_cd_m2"``)."""
    return dict(_tables()["conditions"])


def paper_value(key: str) -> float:
    """The value of one number of the paper, a result or a condition (see :func:`paper_values`,
    :func:`paper_conditions` for the keys)."""
    for table in _tables().values():
        if key in table:
            return table[key].value
    raise InputError(f"no paper value {key!r}")


def paper_binding_energies_eV() -> dict[str, float]:
    """The paper's DFT binding energies [eV] of OAm, NSA and PF6 to surface Pb (Fig. 2a), the default wherever
    binding energies enter."""
    return {name: paper_value(f"binding.{name}_eV") for name in ("OAm", "NSA", "PF6")}


@dataclass(frozen=True)
class Calibrated:
    """A model parameter fitted to results of the paper.

    Attributes
    ----------
    value : float
        The fitted value, as frozen in the code that uses it.
    unit : str
    fitted_to : tuple of str
        Keys of :func:`paper_values` the value was fitted to (at least one; a bare string is one key).
    how : str
        The fit: model, equation or routine, and any reading of the paper it needs.
    """

    value: float
    unit: str
    fitted_to: tuple[str, ...]
    how: str

    def __post_init__(self):
        keys = (self.fitted_to,) if isinstance(self.fitted_to, str) else tuple(self.fitted_to)
        if not keys:
            raise ValueError("a calibrated value names at least one paper value it was fitted to")
        unknown = sorted(set(keys) - set(_tables()["values"]))
        if unknown:
            raise ValueError(f"fitted_to names no paper result: {unknown}")
        if not math.isfinite(float(self.value)):
            raise ValueError(f"calibrated value must be finite, got {self.value!r}")
        object.__setattr__(self, "fitted_to", keys)
        object.__setattr__(self, "value", float(self.value))

    @property
    def targets(self) -> str:
        """The paper values fitted to, with their numbers from the paper's data file."""
        values = _tables()["values"]
        return ", ".join(
            f"{k} = {values[k].value:g}" + ("" if values[k].unit == "1" else f" {values[k].unit}")
            for k in self.fitted_to
        )

    def to_dict(self) -> dict:
        """JSON-ready: value, unit, fitted_to (paper keys), targets (with the paper's numbers), how."""
        return {
            "value": self.value,
            "unit": self.unit,
            "fitted_to": list(self.fitted_to),
            "targets": self.targets,
            "how": self.how,
        }


def fitted_keys(records: Iterable[Calibrated]) -> frozenset[str]:
    """The paper results any of ``records`` was fitted to."""
    return frozenset(k for r in records for k in r.fitted_to)


def status(key: str, records: Iterable[Calibrated]) -> Literal["calibrated", "predicted"]:
    """``"calibrated"`` if the model number compared with paper result ``key`` was fitted to it by one of the
    ``records`` in effect where it was computed, else ``"predicted"``."""
    if key not in _tables()["values"]:
        raise InputError(f"no paper value {key!r}")
    return "calibrated" if key in fitted_keys(records) else "predicted"
