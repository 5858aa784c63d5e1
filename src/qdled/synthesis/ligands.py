"""Ligand coverage of CsPbI3 nanocrystal surfaces and its effect on growth kinetics.

Competitive Langmuir adsorption with ligand depletion: ligands ``j`` with total amounts
``c_j`` [mol/m^3] compete for ``n`` surface sites [mol/m^3]; the affinity ratios are
``exp((E_j - E_k) / k_B T)`` from the binding energies. Free sites are neglected: for eV
binding energies the free-site fraction is < 1e-10, so only energy differences matter.

Two consequences enter the population balance:

* surface reaction rate: monomer attachment/detachment needs a vacant site; a site held by
  ligand ``j`` opens at the desorption rate ``nu exp(-E_j / k_B T)`` (one attempt frequency for
  all ligands, an assumption), so relative to the OA/OAm-capped reference surface
  ``k_eff / k_ref = sum_j theta_j exp(-(E_j - E_ref) / k_B T) + theta_bare W_bare``
  (``theta_bare``: sites stripped by the antisolvent and not yet re-capped, see
  :mod:`qdled.synthesis.purification`);
* surface energy: the multicomponent Langmuir-Szyszkowski equation relative to the reference
  ligand shell gives ``gamma_eff = gamma_ref + Gamma k_B T ln(1 - theta_strong)`` with
  ``theta_strong`` the coverage by ligands other than the reference ones (floored at 0).

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024): DFT binding energies OAm 1.23 eV,
   NSA 1.45 eV, PF6 3.92 eV (Fig. 2a and text).
.. [2] Butt, H.-J., Graf, K., Kappl, M. Physics and Chemistry of Interfaces (Wiley, 2003),
   sec. 3.3 (Szyszkowski equation from Gibbs adsorption with a Langmuir isotherm).
.. [3] De Roo, J. et al. ACS Nano 10, 2071 (2016) (dynamic OA/OAm binding on CsPbBr3 NCs).
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
from scipy import constants as _c
from scipy.optimize import brentq

from qdled.errors import InputError
from qdled.io.paper import paper_binding_energies_eV
from qdled.synthesis.kinetics import K_B

_EV = _c.e
_PAPER_EV = paper_binding_energies_eV()

#: DFT binding energies [eV] from ref. [1] (:func:`qdled.io.paper.paper_binding_energies_eV`). OA is not
#: given in the text (its bar in Fig. 2a is not quoted): ASSUMPTION, taken equal to OAm so that OA/OAm act
#: as one weak reference shell.
DEFAULT_BINDING_EV = MappingProxyType({"OA": _PAPER_EV["OAm"], **_PAPER_EV})

#: Ligands forming the reference (as-synthesised OA/OAm) shell.
REFERENCE_LIGANDS = ("OA", "OAm")


def coverage(amount_mol_m3: dict, sites_mol_m3: float, binding_energy_eV: dict, temperature_K: float) -> dict:
    """Fractional coverages ``theta_j`` (sum 1) from competitive Langmuir adsorption with depletion.

    Solves ``sum_j K_j c_j / (L + K_j n) = 1`` for the scalar ``L`` (= sum_j K_j f_j over free
    amounts ``f_j``), then ``theta_j = K_j c_j / (L + K_j n)``.

    Parameters
    ----------
    amount_mol_m3 : dict
        Total (bound + free) ligand concentration per ligand name [mol/m^3].
    sites_mol_m3 : float
        Surface binding sites per volume of solution [mol/m^3].
    binding_energy_eV : dict
        Binding energy per ligand name [eV].
    temperature_K : float

    Returns
    -------
    dict name -> theta (ligands with zero amount get 0).
    """
    names = [k for k, v in amount_mol_m3.items() if v > 0]
    if not names:
        raise InputError("coverage needs at least one ligand with amount > 0")
    missing = [k for k in names if k not in binding_energy_eV]
    if missing:
        raise InputError(f"no binding energy for ligand(s) {missing}")
    c = np.array([amount_mol_m3[k] for k in names], dtype=float)
    e = np.array([binding_energy_eV[k] for k in names], dtype=float)
    kk = np.exp((e - e.max()) * _EV / (K_B * temperature_K))  # relative affinities, max 1
    n = max(float(sites_mol_m3), 0.0)
    kc = kk * c
    if n <= 0.0 or np.all(e == e[0]):  # no sites, or equal affinities: no competition effects
        theta = kc / kc.sum()
    else:
        lo, hi = -690.0, math.log(kc.sum())  # ln L; at L = sum K c the left side is < 1

        def excess(u):
            return np.sum(kc / (math.exp(u) + kk * n)) - 1.0

        if excess(lo) <= 0:  # fewer ligands than sites: all bound
            lam = math.exp(lo)
        elif excess(hi) >= 0:  # sites negligible
            lam = math.exp(hi)
        else:
            lam = math.exp(brentq(excess, lo, hi, xtol=1e-10))
        theta = kc / (lam + kk * n)
        theta = theta / theta.sum()
    out = {k: 0.0 for k in amount_mol_m3}
    out.update(dict(zip(names, theta.tolist(), strict=False)))
    return out


def rate_factor(
    theta: dict,
    binding_energy_eV: dict,
    temperature_K: float,
    *,
    bare_fraction: float = 0.0,
    bare_weight: float = 1.0,
    reference_ligand: str = "OAm",
) -> float:
    """Surface reaction rate relative to the reference OA/OAm shell (module docstring).

    ``theta`` are the coverages of the capped sites (sum 1); a fraction ``bare_fraction`` of all
    sites is bare and reacts ``bare_weight`` times as fast as a reference-capped site.
    """
    kt = K_B * temperature_K / _EV
    e_ref = binding_energy_eV[reference_ligand]
    capped = sum(t * math.exp(-(binding_energy_eV[k] - e_ref) / kt) for k, t in theta.items() if t > 0)
    return (1.0 - bare_fraction) * capped + bare_fraction * bare_weight


def surface_energy_J_m2(gamma_ref_J_m2: float, theta: dict, temperature_K: float, site_density_m2: float) -> float:
    """Effective surface energy [J/m^2]: ``gamma_ref + Gamma k_B T ln(1 - theta_strong)``, floored at 0.

    ``theta_strong`` is the coverage by ligands not in :data:`REFERENCE_LIGANDS` ([2]_).
    """
    strong = sum(t for k, t in theta.items() if k not in REFERENCE_LIGANDS)
    free_ref = max(1.0 - strong, 1e-300)
    return max(gamma_ref_J_m2 + site_density_m2 * K_B * temperature_K * math.log(free_ref), 0.0)
