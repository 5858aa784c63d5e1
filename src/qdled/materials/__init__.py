"""Optical constants (:func:`refractive_index`) and material parameters (:mod:`.cspbi3`)."""

from qdled.materials.optical import MATERIALS, refractive_index, wavelength_range_nm

__all__ = ["MATERIALS", "refractive_index", "wavelength_range_nm"]
