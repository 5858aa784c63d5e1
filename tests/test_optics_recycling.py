"""Photon recycling in the QD film of the stack (qdled.optics.recycling, issue #18).

References: photon recycling as a geometric series of re-emissions (Miller, Yablonovitch & Kurtz, IEEE J.
Photovolt. 2, 303 (2012)); channel powers sum to the Purcell factor (Furno et al., PRB 85, 115205 (2012)).
"""

import numpy as np
import pytest

from qdled.errors import InputError
from qdled.io.stack import default_stack
from qdled.optics import el_spectrum
from qdled.optics.recycling import photon_recycling
from qdled.spectral import gaussian

PL = gaussian(628.0, 30.0, np.linspace(590.0, 670.0, 21))


def _stack(k):
    # the default device with a constant-index QD film n + i k (the built-in CsPbI3 film's index at 628 nm is ~2)
    return default_stack().with_values({"QD.n": 2.0, "QD.k": k})


def test_lossless_film_limit():
    # k -> 0: nothing is reabsorbed and the outcoupling is the lossless emitter's
    r = photon_recycling(_stack(1e-7), PL, 0.9)
    assert r.reabsorbed_fraction < 1e-5
    assert r.recycling_gain == pytest.approx(1.0, abs=1e-5)
    assert r.eta_out == pytest.approx(r.eta_out_lossless, rel=1e-4)


def test_reabsorption_linear_in_small_k():
    # weak absorption (alpha d << 1): the absorbed share is proportional to k
    a1 = photon_recycling(_stack(1e-3), PL, 0.9).reabsorbed_fraction
    a2 = photon_recycling(_stack(2e-3), PL, 0.9).reabsorbed_fraction
    assert a1 > 0 and a2 / a1 == pytest.approx(2.0, rel=0.03)


def test_photon_number_conserved_with_unit_yield():
    # with q = 1 every reabsorbed photon is emitted again: the other channels then take all photons,
    # sum_{c != film} f_c x gain = 1 (the first-pass channel split of the optics, independent of the series)
    st = _stack(0.02)
    r = photon_recycling(st, PL, 1.0)
    em = el_spectrum(st.with_values({"emitter.absorbing": True}), PL)
    others = sum(v for c, v in em.fractions.items() if c != "emitter_absorbed")
    h = st.emitter.horizontal_fraction
    e, i = em.emission, st.emitter_index
    _, s = PL
    second_pass = np.sum(s * (h * e.absorbed_by_layer["h"][i] + (1 - h) * e.absorbed_by_layer["v"][i]))
    others -= float(second_pass / np.sum(s * (h * e.purcell["h"] + (1 - h) * e.purcell["v"])))
    assert r.radiative_efficiency == pytest.approx(1.0)
    assert others * r.recycling_gain == pytest.approx(1.0, rel=1e-9)


def test_recycling_recovers_part_of_the_absorbed_light():
    # the default stack's film (CsPbI3 NC index, Aftenieva et al.): absorbing the film costs outcoupling, recycling
    # returns part of it, never more than the lossless film had
    from qdled.device.chain import chain_pl

    r = photon_recycling(default_stack(), chain_pl("li2024-nsa-pf6"), 0.94)
    assert 0.01 < r.reabsorbed_fraction < 0.2
    assert r.eta_out_first_pass < r.eta_out < r.eta_out_lossless


def test_bad_plqy():
    with pytest.raises(InputError, match="plqy"):
        photon_recycling(default_stack(), PL, 1.5)
