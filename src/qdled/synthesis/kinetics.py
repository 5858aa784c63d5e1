"""Growth law, Gibbs-Thomson solubility and classical nucleation for CsPbI3 nanocrystals.

All functions are plain NumPy kernels in SI units (radius in m, concentration in mol/m^3 of
CsPbI3 formula units, temperature in K). Particles are treated as spheres of radius ``r``;
the cube edge of equal volume is ``L = (4 pi / 3)^(1/3) r`` (:func:`edge_from_radius`).

References
----------
.. [1] Talapin, D. V., Rogach, A. L., Haase, M., Weller, H. Evolution of an ensemble of
   nanoparticles in a colloidal solution: theoretical study. J. Phys. Chem. B 105, 12278
   (2001) -- growth rate with Gibbs-Thomson solubility and mixed diffusion/reaction control.
.. [2] Sugimoto, T. Preparation of monodispersed colloidal particles. Adv. Colloid Interface
   Sci. 28, 65 (1987) -- mixed-control growth law dr/dt = Vm (c - c_r) / (1/k + r/D).
.. [3] Lifshitz, I. M., Slyozov, V. V. J. Phys. Chem. Solids 19, 35 (1961); Wagner, C.
   Z. Elektrochem. 65, 581 (1961) -- asymptotic coarsening laws.
.. [4] Kashchiev, D. Nucleation: Basic Theory with Applications (Butterworth-Heinemann,
   2000), ch. 13 -- classical nucleation rate J = J0 exp(-16 pi gamma^3 v^2 / (3 (kT)^3 ln^2 S)).
"""

from __future__ import annotations

import numpy as np
from scipy import constants as _c

R_GAS = _c.R
K_B = _c.k
N_A = _c.N_A
_SPHERE_TO_CUBE = (4.0 * np.pi / 3.0) ** (1.0 / 3.0)
_MAX_EXP = 700.0


def edge_from_radius(radius):
    """Cube edge [same unit as input] of the cube with the volume of a sphere of ``radius``."""
    return _SPHERE_TO_CUBE * np.asarray(radius, dtype=float)


def radius_from_edge(edge):
    """Equal-volume sphere radius [same unit as input] of a cube of edge ``edge``."""
    return np.asarray(edge, dtype=float) / _SPHERE_TO_CUBE


def capillary_length_m(gamma_J_m2, molar_volume_m3_mol, temperature_K):
    """Capillary length ``2 gamma Vm / (R T)`` [m] of the Gibbs-Thomson equation ([1]_)."""
    return 2.0 * np.asarray(gamma_J_m2) * molar_volume_m3_mol / (R_GAS * np.asarray(temperature_K))


def gibbs_thomson_solubility(radius_m, c_inf_mol_m3, capillary_m):
    """Solubility of a particle of radius ``radius_m``: ``c_inf exp(l_cap / r)`` [mol/m^3] ([1]_)."""
    return c_inf_mol_m3 * np.exp(np.minimum(capillary_m / np.asarray(radius_m), _MAX_EXP))


def growth_rate_m_s(
    radius_m, c_mol_m3, c_inf_mol_m3, capillary_m, diffusion_m2_s, rate_constant_m_s, molar_volume_m3_mol
):
    """Radius growth rate dr/dt [m/s] under mixed diffusion/surface-reaction control.

    ``dr/dt = Vm (c - c_inf exp(l_cap/r)) / (1/k + r/D)`` ([1]_, [2]_); negative values are
    dissolution. ``k -> inf`` gives the diffusion limit (LSW), ``D -> inf`` the reaction
    limit (Wagner).
    """
    r = np.asarray(radius_m, dtype=float)
    drive = c_mol_m3 - gibbs_thomson_solubility(r, c_inf_mol_m3, capillary_m)
    return molar_volume_m3_mol * drive / (1.0 / rate_constant_m_s + r / diffusion_m2_s)


def critical_radius_m(supersaturation, capillary_m):
    """Radius [m] in equilibrium with supersaturation ``S``: ``l_cap / ln S`` (inf for S <= 1)."""
    s = np.asarray(supersaturation, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 1.0, capillary_m / np.log(np.where(s > 1.0, s, 2.0)), np.inf)


def nucleation_rate(supersaturation, gamma_J_m2, molar_volume_m3_mol, temperature_K, prefactor_m3_s):
    """Classical homogeneous nucleation rate [nuclei m^-3 s^-1] ([4]_); zero for S <= 1.

    ``J = J0 exp(-16 pi gamma^3 v^2 / (3 (k_B T)^3 ln^2 S))`` with ``v = Vm / N_A``.
    """
    s = np.asarray(supersaturation, dtype=float)
    v = molar_volume_m3_mol / N_A
    b = 16.0 * np.pi * gamma_J_m2**3 * v**2 / (3.0 * (K_B * temperature_K) ** 3)
    lns = np.log(np.where(s > 1.0, s, 2.0))
    return np.where(s > 1.0, prefactor_m3_s * np.exp(-np.minimum(b / lns**2, _MAX_EXP)), 0.0)


def lsw_rate_constant(gamma_J_m2, diffusion_m2_s, c_inf_mol_m3, molar_volume_m3_mol, temperature_K):
    """LSW diffusion-limited coarsening constant K [m^3/s] in <r>^3 - <r0>^3 = K t ([3]_).

    ``K = 8 gamma D c_inf Vm^2 / (9 R T)``.
    """
    return 8.0 * gamma_J_m2 * diffusion_m2_s * c_inf_mol_m3 * molar_volume_m3_mol**2 / (9.0 * R_GAS * temperature_K)


def wagner_rate_constant(gamma_J_m2, rate_constant_m_s, c_inf_mol_m3, molar_volume_m3_mol, temperature_K):
    """Wagner reaction-limited coarsening constant K [m^2/s] in <r>^2 - <r0>^2 = K t ([3]_).

    ``K = 64 gamma k c_inf Vm^2 / (81 R T)``.
    """
    return (
        64.0 * gamma_J_m2 * rate_constant_m_s * c_inf_mol_m3 * molar_volume_m3_mol**2 / (81.0 * R_GAS * temperature_K)
    )


def arrhenius(value_ref, activation_J_mol, temperature_K, reference_K):
    """``value_ref exp(-Ea/R (1/T - 1/T_ref))``: temperature scaling of a rate or solubility."""
    return value_ref * np.exp(-activation_J_mol / R_GAS * (1.0 / np.asarray(temperature_K) - 1.0 / reference_K))


def stokes_einstein_diffusion(diffusion_ref_m2_s, viscosity_activation_J_mol, temperature_K, reference_K):
    """Monomer diffusivity [m^2/s] scaled as D ~ T / eta(T) with an Arrhenius viscosity."""
    t = np.asarray(temperature_K, dtype=float)
    return (
        diffusion_ref_m2_s
        * (t / reference_K)
        * np.exp(-viscosity_activation_J_mol / R_GAS * (1.0 / t - 1.0 / reference_K))
    )
