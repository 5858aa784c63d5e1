"""1-D steady-state drift-diffusion + exciton solver of the LED stack (issue #17 solver core).

:func:`solve_jv` builds the stack from :class:`~qdled.device.parameters.DeviceParameters` and the level
table; :func:`solve_structure` solves any :class:`DeviceStructure` (used by the validation tests).
Equations, discretisation and references: :mod:`qdled.device.dd.solver`.
"""

from qdled.device.dd.mesh import Mesh, stack_mesh
from qdled.device.dd.solver import DriftDiffusionResult, bernoulli, solve_jv, solve_structure
from qdled.device.dd.structure import (
    Contact,
    DeviceStructure,
    DriftDiffusionSettings,
    ExcitonParameters,
    Layer,
    structure_from_parameters,
)

__all__ = [
    "Contact",
    "DeviceStructure",
    "DriftDiffusionResult",
    "DriftDiffusionSettings",
    "ExcitonParameters",
    "Layer",
    "Mesh",
    "bernoulli",
    "solve_jv",
    "solve_structure",
    "stack_mesh",
    "structure_from_parameters",
]
