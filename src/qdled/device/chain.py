"""The device of a stack: its layer thicknesses into the electrical model, its optics into the light.

:func:`simulate_stack` runs :func:`qdled.optics.el_spectrum` on the stack with a PL spectrum
(cavity-filtered EL, spectrally averaged outcoupling and Purcell factor) and feeds them to
:func:`qdled.device.simulate_device` with the parameter set of the named device.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdled.device.parameters import DeviceParameters, device_parameters
from qdled.device.simulate import DeviceResult, simulate_device

#: Layers whose thickness the electrical model takes from the stack.
ELECTRICAL_LAYERS = ("PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T")

#: Measured PL of the two QD batches (Li et al. 2024, Fig. 2b): peak, FWHM [nm].
PAPER_PL_NM = {"li2024-nsa-pf6": (623.0, 32.0), "li2024-control": (639.0, 42.0)}


@dataclass(frozen=True)
class StackDevice:
    """A simulated device with the parameters and optics it was run with."""

    result: DeviceResult
    params: DeviceParameters
    el: object  # qdled.optics.outcoupling.ELSpectrum


def parameters_for_stack(stack, name: str) -> DeviceParameters:
    """Parameter set ``name`` with the thicknesses of the stack's electrically modelled layers."""
    names = {layer.name for layer in stack.layers}
    return device_parameters(name).with_thicknesses(
        {n: stack.layer(n).thickness_nm for n in ELECTRICAL_LAYERS if n in names}
    )


def simulate_stack(stack, name: str, pl_wavelength_nm=None, pl_intensity=None) -> StackDevice:
    """Simulate device ``name`` built as ``stack``, emitting the PL spectrum given (default: the paper's)."""
    from qdled.optics import el_spectrum, pl_spectrum

    if pl_wavelength_nm is None:
        pl_wavelength_nm, pl_intensity = pl_spectrum(*PAPER_PL_NM[name])
    params = parameters_for_stack(stack, name)
    el = el_spectrum(stack, pl_wavelength_nm, pl_intensity)
    result = simulate_device(
        params,
        eta_out=el.eta_out,
        purcell_factor=el.purcell["mixed"],
        el_wavelength_nm=el.wavelength_nm,
        el_intensity=el.el,
    )
    return StackDevice(result, params, el)
