"""The seed paper's headline numbers as data (``qdled/data/paper/li2024.toml``).

Li, Y. et al. Stable and efficient CsPbI3 quantum-dot light-emitting diodes with strong
quantum confinement. Nat. Commun. 15, 5696 (2024). The report compares the model against
these; calibration code names the keys it fits so that fitted and predicted numbers stay apart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from qdled.errors import InputError


@dataclass(frozen=True)
class PaperValue:
    """One number of the paper: value, unit and where it is stated."""

    key: str
    value: float
    unit: str
    source: str


@lru_cache(maxsize=1)
def paper_values() -> dict[str, PaperValue]:
    """All headline numbers, keyed ``<sample>.<quantity>`` (e.g. ``"nsa_pf6.peak_eqe"``)."""
    text = resources.files("qdled.data").joinpath("paper/li2024.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)["values"]
    return {k: PaperValue(k, float(v["value"]), v["unit"], v["source"]) for k, v in raw.items()}


def paper_value(key: str) -> float:
    """The value of one headline number (see :func:`paper_values` for keys)."""
    values = paper_values()
    if key not in values:
        raise InputError(f"no paper value {key!r}")
    return values[key].value


#: The paper's DFT binding energies [eV] (Fig. 2a), the default wherever binding energies enter.
def paper_binding_energies_eV() -> dict[str, float]:
    """{"OAm": 1.23, "NSA": 1.45, "PF6": 3.92} from the paper's DFT (Fig. 2a)."""
    return {name: paper_value(f"binding.{name}_eV") for name in ("OAm", "NSA", "PF6")}
