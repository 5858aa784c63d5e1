"""Energy levels of the paper's LED stack (ITO/PEDOT:PSS/PTAA/CsPbI3 QDs/TmPyPB/PO-T2T/LiF/Al)
and an energy-level diagram like the paper's Fig. 4a.

All energies are in eV **below the vacuum level** (positive numbers), so "deeper" is larger.
The table (``qdled/device/data/levels.toml``) gives each value with its source and a status
flag: ``"literature"`` (checked in the named primary source) or ``"assumption"`` (a typical or recalled value,
not checked against a primary source here).

The QD levels follow from the QD gap ``Eg_QD`` (a function argument; default the photon energy of
the paper's PL peak of the NSA-NH4PF6 dots, ``nsa_pf6.pl_peak_nm`` of :mod:`qdled.io.paper` -- the paper's Tauc
and UPS numbers behind its Fig. 4a are not in the text). The confinement energy ``Eg_QD - Eg_bulk`` is split
equally between the valence and the conduction band because electron and hole effective masses of the
lead-halide perovskites are nearly equal (ref. [2]); the bulk valence-band maximum is a stated assumption
(table entry ``CsPbI3-bulk``).

References
----------
.. [1] Li, Y. et al., Nat. Commun. 15, 5696 (2024): stack, PL peak, Fig. 4a.
.. [2] Protesescu, L. et al., Nano Lett. 15, 3692 (2015): m_e ~ m_h in CsPbX3 (effective-mass
   estimates used for the confinement model).
.. [3] Sources of each layer value: see ``levels.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from qdled.errors import InputError, require_finite_positive
from qdled.io.paper import paper_value
from qdled.materials.cspbi3 import BANDGAP_BULK_EV
from qdled.spectral import photon_energy_eV

__all__ = [
    "LayerLevels",
    "level_table",
    "qd_levels",
    "energy_levels",
    "plot_energy_levels",
]

#: Order of the layers from anode to cathode (names as in the stack file and the table).
STACK_ORDER = ("ITO", "PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T", "LiF/Al")


@dataclass(frozen=True)
class LayerLevels:
    """Levels of one layer [eV below vacuum]: ``wf_eV`` for electrodes, ``homo_eV``/``lumo_eV``
    for semiconductors (NaN where not applicable), with status and source."""

    name: str
    wf_eV: float
    homo_eV: float
    lumo_eV: float
    status: str
    source: str

    @property
    def is_electrode(self) -> bool:
        return self.wf_eV == self.wf_eV  # not NaN


@lru_cache(maxsize=1)
def level_table() -> dict[str, LayerLevels]:
    """The cited level table (``levels.toml``) as ``name -> LayerLevels``."""
    text = resources.files("qdled.device").joinpath("data/levels.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    nan = float("nan")
    return {
        name: LayerLevels(
            name,
            float(v.get("wf_eV", nan)),
            float(v.get("homo_eV", v.get("vbm_eV", nan))),
            float(v.get("lumo_eV", nan)),
            v["status"],
            v["source"],
        )
        for name, v in raw.items()
    }


def qd_levels(qd_gap_eV: float | None = None) -> LayerLevels:
    """Valence/conduction band edges of the CsPbI3 QD film [eV below vacuum] for a QD gap [eV].

    ``VBM = VBM_bulk + (Eg_QD - Eg_bulk)/2``, ``CBM = VBM - Eg_QD`` (equal split of the
    confinement energy, see module docstring). Default gap: the photon energy of the paper's PL peak of the
    NSA-NH4PF6 dots (1.990 eV).
    """
    if qd_gap_eV is None:
        gap = photon_energy_eV(paper_value("nsa_pf6.pl_peak_nm"))
    else:
        gap = require_finite_positive("qd_gap_eV", qd_gap_eV)
    if gap < BANDGAP_BULK_EV:
        raise InputError(f"qd_gap_eV must be >= the bulk gap {BANDGAP_BULK_EV} eV, got {gap}")
    vbm_bulk = level_table()["CsPbI3-bulk"].homo_eV
    vbm = vbm_bulk + 0.5 * (gap - BANDGAP_BULK_EV)
    return LayerLevels(
        "QD",
        float("nan"),
        vbm,
        vbm - gap,
        "assumption",
        f"QD gap {gap:.3f} eV; bulk VBM {vbm_bulk} eV (assumption) + half the confinement energy",
    )


def energy_levels(qd_gap_eV: float | None = None) -> dict[str, LayerLevels]:
    """Levels of every layer of the stack, anode to cathode (keys as ``STACK_ORDER``)."""
    table = level_table()
    out = {name: table[name] for name in STACK_ORDER if name != "QD"}
    out["QD"] = qd_levels(qd_gap_eV)
    return {name: out[name] for name in STACK_ORDER}


def plot_energy_levels(levels: dict[str, LayerLevels] | None = None, ax=None):
    """Flat-band energy-level diagram (like the paper's Fig. 4a); returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    levels = energy_levels() if levels is None else levels
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4))
    else:
        fig = ax.figure
    for i, (name, lv) in enumerate(levels.items()):
        x0, x1 = i + 0.08, i + 0.92
        if lv.is_electrode:
            ax.hlines(-lv.wf_eV, x0, x1, color="k", lw=2)
            ax.text(i + 0.5, -lv.wf_eV - 0.25, f"{lv.wf_eV:.1f}", ha="center", fontsize=8)
        else:
            colour = "tab:red" if name == "QD" else "tab:blue"
            ax.add_patch(plt.Rectangle((x0, -lv.homo_eV), x1 - x0, lv.homo_eV - lv.lumo_eV, color=colour, alpha=0.35))
            ax.text(i + 0.5, -lv.lumo_eV + 0.08, f"{lv.lumo_eV:.2f}", ha="center", fontsize=8)
            ax.text(i + 0.5, -lv.homo_eV - 0.25, f"{lv.homo_eV:.2f}", ha="center", fontsize=8)
        ax.text(i + 0.5, -8.2, name + ("*" if lv.status == "assumption" else ""), ha="center", fontsize=8)
    ax.set_xlim(0, len(levels))
    ax.set_ylim(-8.4, -1.8)
    ax.set_xticks([])
    ax.set_ylabel("energy vs vacuum (eV)")
    ax.set_title("Energy levels (* = assumed typical value)", fontsize=9)
    return fig
