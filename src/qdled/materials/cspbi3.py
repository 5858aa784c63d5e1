"""Material parameters of CsPbI3 (cubic alpha phase unless stated), in SI units.

Every number carries its source. Values used by several stages (dots, synthesis,
device) are read from here and nowhere else.

References
----------
.. [1] Li, Y. et al. Stable and efficient CsPbI3 quantum-dot light-emitting diodes with
   strong quantum confinement. Nat. Commun. 15, 5696 (2024) (the seed paper), quoting
   Swarnkar, A. et al., Science 354, 92 (2016) for the bulk gap.
.. [2] Yang, Z. et al. Impact of the halide cage on the electronic properties of fully
   inorganic cesium lead halide perovskites. ACS Energy Lett. 2, 1621 (2017)
   (magneto-optical reduced mass and exciton binding energy of CsPbI3).
.. [3] Sutton, R. J. et al. Cubic or orthorhombic? Revealing the crystal structure of
   metastable black-phase CsPbI3 by theory and experiment. ACS Energy Lett. 3, 1787 (2018)
   (cubic lattice constant).
"""

from scipy import constants as _c

#: Bulk band gap of alpha-CsPbI3 at room temperature [eV] (ref. [1]).
BANDGAP_BULK_EV = 1.73

#: Exciton reduced mass, in units of the free-electron mass (ref. [2]).
REDUCED_MASS_M0 = 0.114

#: Bulk exciton binding energy [eV] (ref. [2]).
EXCITON_BINDING_EV = 0.015

#: Effective dielectric constant screening the exciton, from the hydrogenic relation
#: E_b = Ry * mu / eps^2 with [2]'s mu and E_b (dimensionless).
DIELECTRIC_EFFECTIVE = (
    _c.physical_constants["Rydberg constant times hc in eV"][0] * REDUCED_MASS_M0 / EXCITON_BINDING_EV
) ** 0.5

#: Pseudocubic lattice constant of the cubic phase [m] (ref. [3]).
LATTICE_CONSTANT_M = 6.289e-10

#: Molar mass [kg/mol]: Cs 132.905 + Pb 207.2 + 3 x I 126.904 (IUPAC standard atomic weights).
MOLAR_MASS_KG_PER_MOL = (132.905 + 207.2 + 3 * 126.904) * 1e-3

#: Molar volume [m^3/mol]: one formula unit per cubic cell, N_A * a^3.
MOLAR_VOLUME_M3_PER_MOL = _c.N_A * LATTICE_CONSTANT_M**3

#: Mass density [kg/m^3].
DENSITY_KG_M3 = MOLAR_MASS_KG_PER_MOL / MOLAR_VOLUME_M3_PER_MOL

# --- Band-structure parameters for the quantum-confinement models (qdled.dots) ---------------------

#: Kane energy E_p = 2 |p_cv|^2 / m0 of CsPbI3 [eV]. Value used for CsPbI3 in the multiband k.p study of
#: Nguyen, Blundell & Guet, Phys. Rev. B 101, 195414 (2020) (arXiv:2004.05093); the authors note the
#: perovskite Kane energies are uncertain by up to a factor ~2.
KANE_ENERGY_EV = 17.0

#: Electron and hole band-edge masses [m0]. Assumption: mirror conduction and valence bands (equal masses),
#: as in the two-band Kane picture of lead-halide perovskites, with the measured reduced mass of ref. [2]:
#: m_e = m_h = 2 * mu.
ELECTRON_MASS_M0 = 2.0 * REDUCED_MASS_M0
HOLE_MASS_M0 = 2.0 * REDUCED_MASS_M0

#: Exciton Bohr radius a_B = eps * a0 / mu [m], with the effective dielectric constant and mu of ref. [2].
EXCITON_BOHR_RADIUS_M = DIELECTRIC_EFFECTIVE * _c.physical_constants["Bohr radius"][0] / REDUCED_MASS_M0
