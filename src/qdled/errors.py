"""Exceptions raised for bad user input.

Every check at the edge of the package (files, CLI options, public functions) raises
:class:`InputError` with a message naming the bad value; the CLI prints it as one line
on stderr and exits with code 2.
"""


class InputError(ValueError):
    """A user-supplied value (file, option, argument) is invalid; the message names it."""


def require_finite_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, or raise :class:`InputError` naming ``name``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InputError(f"{name} must be finite, got {value!r}")
    if v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name} must be {bound}, got {value!r}")
    return v


class ConvergenceError(RuntimeError):
    """A numerical solver (e.g. the drift-diffusion Newton iteration) failed; the message names where
    (for the drift-diffusion solver: the voltage)."""
