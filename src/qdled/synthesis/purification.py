"""Antisolvent purification: stripping of the weak OA/OAm shell and NH4PF6 passivation.

The polar ester antisolvent promotes proton transfer between OA- and OAmH+ so that the weak
OA/OAm ligands leave the surface ([1]_, [2]_). This is not an equilibrium process, so it is
modelled kinetically: a fraction ``strip_fraction`` (ASSUMED) of the sites held by OA/OAm
become bare; bare sites are "active perovskite ionic sites" ([1]_) whose attachment /
detachment is ``bare_weight`` (CALIBRATED) times faster than that of a capped site. Strong
ligands (NSA 1.45 eV, PF6 3.92 eV) are not stripped, and NH4PF6 present during the wash
re-caps stripped sites up to its amount ("NH4PF6 immediately passivates the surface after
OA/OAm is removed", [1]_). The resulting faster kinetics let the control dots ripen during
purification (PL 635 -> 639 nm in [1]_); the NSA-NH4PF6 dots keep their size.

References
----------
.. [1] Li, Y. et al. Nat. Commun. 15, 5696 (2024), text and Methods.
.. [2] De Roo, J. et al. ACS Nano 10, 2071 (2016).
"""

from __future__ import annotations

from qdled.errors import require_finite_positive
from qdled.synthesis.ligands import REFERENCE_LIGANDS


def bare_fraction(theta: dict, strip_fraction: float, pf6_free_per_site: float = 0.0) -> float:
    """Fraction of surface sites left bare by the antisolvent wash.

    Parameters
    ----------
    theta : dict
        Coverages (sum 1) before stripping, by ligand name.
    strip_fraction : float
        Fraction of the OA/OAm-held sites stripped, in [0, 1].
    pf6_free_per_site : float
        NH4PF6 not yet bound, per surface site; it re-caps stripped sites one for one.
    """
    f = require_finite_positive("strip_fraction", strip_fraction, allow_zero=True)
    if f > 1:
        raise ValueError(f"strip_fraction must be <= 1, got {strip_fraction}")
    weak = sum(theta.get(k, 0.0) for k in REFERENCE_LIGANDS)
    return max(f * weak - max(pf6_free_per_site, 0.0), 0.0)
