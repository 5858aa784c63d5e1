"""Parameter sweeps and design search over stacks or recipes, on a local pool or a Dask cluster.

:mod:`.design` turns ``--vary`` specifications into points (grid, random, Latin hypercube),
:mod:`.executors` runs chunks serially, on a process pool or on ``dask.distributed``,
:mod:`.runner` checkpoints every finished chunk so that an interrupted sweep resumes with only
the missing work, and assembles an ``xarray.Dataset``; :mod:`.targets` evaluates stacks and recipes;
:mod:`.optimize` searches for the best stack within bounds with SciPy, using the same machinery;
:func:`make_spec` (:mod:`.spec`) builds a checked sweep from user-level inputs;
:func:`multifidelity_sweep` (:mod:`.multifidelity`) sweeps the device with the drift-diffusion solver on a coarse
grid and the corrected compact surrogate in between, and reports the surrogate's held-out error.
"""

from qdled.sweep.design import Axis, grid_design, latin_hypercube_design, parse_vary, random_design
from qdled.sweep.multifidelity import multifidelity_sweep
from qdled.sweep.runner import SweepSpec, run_sweep
from qdled.sweep.spec import make_spec

__all__ = [
    "Axis",
    "parse_vary",
    "grid_design",
    "random_design",
    "latin_hypercube_design",
    "SweepSpec",
    "make_spec",
    "multifidelity_sweep",
    "run_sweep",
]
