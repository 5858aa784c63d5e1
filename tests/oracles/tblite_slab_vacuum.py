"""Regenerate tests/fixtures/tblite_slab_vacuum.json: a CsI-terminated CsPbI3 (100) slab's energy against vacuum
with another tblite release.

A neutral, centrosymmetric slab (CsI / PbI2 / CsI, 1x1 cell, cubic a = 6.289 A) has no dipole and its
fields decay exponentially outside it, so its energy must not depend on the vacuum beyond ~10 A. The tblite
release the project installs (0.8.0) breaks this (tests/test_binding_slab.py); this script records what an
earlier release gives for the same cell, as an independent reference.

NOT collected by pytest. Run it in a separate venv (never in the project's .venv)::

    python3 -m venv /tmp/tblite040 && /tmp/tblite040/bin/pip install "tblite==0.4.0" ase numpy
    /tmp/tblite040/bin/python tests/oracles/tblite_slab_vacuum.py

The slab is built here from its definition (Cs at (0, 0), I at (1/2, 1/2) in the CsI planes; Pb at (1/2, 1/2),
I at (0, 1/2) and (1/2, 0) in the PbI2 plane; planes a/2 apart); the test checks that the positions equal
``qdled.binding.slab.slab(3, 1, vacuum_A)``.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import platform
from importlib.metadata import version

import numpy as np
from ase import Atoms
from ase.units import Bohr, Hartree
from tblite.interface import Calculator

A = 6.289
VACUA_A = (25.0, 50.0, 100.0, 200.0)
METHODS = ("GFN1-xTB", "GFN2-xTB")


def slab(vacuum_A: float) -> Atoms:
    symbols, positions = [], []
    for k in range(3):
        z = k * A / 2
        if k % 2 == 0:
            symbols += ["Cs", "I"]
            positions += [[0.0, 0.0, z], [A / 2, A / 2, z]]
        else:
            symbols += ["Pb", "I", "I"]
            positions += [[A / 2, A / 2, z], [0.0, A / 2, z], [A / 2, 0.0, z]]
    return Atoms(symbols, positions=positions, cell=[A, A, A + vacuum_A], pbc=True)


def main() -> None:
    out = {
        "provenance": {
            "code": "tblite",
            "tblite_version": version("tblite"),
            "generated_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "script": "tests/oracles/tblite_slab_vacuum.py",
            "python": platform.python_version(),
            "system": "CsI-terminated cubic CsPbI3 (100) slab, 3 planes, 1x1 cell, Gamma point, neutral, 300 K",
        },
        "vacuum_A": list(VACUA_A),
        "positions_A": {str(v): slab(v).positions.tolist() for v in VACUA_A},
        "energy_eV": {},
        "charges_e": {},
    }
    for method in METHODS:
        energies, charges = [], []
        for vac in VACUA_A:
            a = slab(vac)
            calc = Calculator(method, a.numbers, a.positions / Bohr, 0, 0, a.cell.array / Bohr, a.pbc)
            calc.set("verbosity", 0)
            res = calc.singlepoint()
            energies.append(float(res["energy"] * Hartree))
            charges.append(np.round(res["charges"], 6).tolist())
        out["energy_eV"][method] = energies
        out["charges_e"][method] = charges
    path = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "tblite_slab_vacuum.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(path, json.dumps(out["energy_eV"]))


if __name__ == "__main__":
    main()
