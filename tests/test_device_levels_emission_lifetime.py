"""Energy levels, emission/roll-off and lifetime kernels of qdled.device."""

import numpy as np
import pytest
from scipy.optimize import brentq

from qdled.device import energy_levels, plot_energy_levels, qd_levels
from qdled.device.emission import RollOff, effective_quantum_yield, external_quantum_efficiency, purcell_quantum_yield
from qdled.device.levels import level_table
from qdled.device.lifetime import decay_time_constant_min, luminance_decay, time_to_fraction_min
from qdled.errors import InputError
from qdled.io.paper import paper_value
from qdled.materials.cspbi3 import BANDGAP_BULK_EV
from qdled.spectral import photon_energy_eV


def test_level_table_cited_and_complete():
    lv = energy_levels()
    assert list(lv) == ["ITO", "PEDOT:PSS", "PTAA", "QD", "TmPyPB", "PO-T2T", "LiF/Al"]
    for entry in level_table().values():
        assert entry.status in ("literature", "assumption") and entry.source
    # Su et al., Adv. Mater. 20, 2125 (2008): TmPyPB HOMO 6.68 / LUMO 2.73 eV
    assert lv["TmPyPB"].homo_eV == pytest.approx(6.68, abs=0.05)
    assert lv["TmPyPB"].lumo_eV == pytest.approx(2.73, abs=0.05)


def test_qd_levels_follow_the_gap():
    g = photon_energy_eV(paper_value("nsa_pf6.pl_peak_nm"))  # the default gap: the paper's PL peak
    assert g == pytest.approx(1239.84198 / paper_value("nsa_pf6.pl_peak_nm"), rel=1e-6)  # hc = 1239.84198 eV nm
    q = qd_levels()
    assert q.homo_eV - q.lumo_eV == pytest.approx(g)
    bulk = qd_levels(BANDGAP_BULK_EV)
    assert q.homo_eV - bulk.homo_eV == pytest.approx(0.5 * (g - BANDGAP_BULK_EV))  # equal split of confinement
    with pytest.raises(InputError, match="qd_gap_eV"):
        qd_levels(1.2)


def test_level_diagram_plot():
    import matplotlib

    matplotlib.use("Agg")
    fig = plot_energy_levels()
    assert len(fig.axes[0].patches) == 4  # PTAA, QD, TmPyPB, PO-T2T
    import matplotlib.pyplot as plt

    plt.close(fig)


RO = RollOff(
    pl_lifetime_s=8e-9,
    auger_lifetime_s=30e-12,
    dot_density_m3=8e24,
    thermal_resistance_K_m2_W=0.05,
    quench_activation_eV=0.3,
    quench_half_temperature_K=380.0,
)


def test_purcell_and_low_current_limit():
    assert purcell_quantum_yield(0.94, 1.0) == pytest.approx(0.94)
    assert purcell_quantum_yield(0.5, 2.0) == pytest.approx(2 / 3)
    q = effective_quantum_yield(
        np.array([1e-6]),
        np.array([2.0]),
        plqy=0.9,
        purcell_factor=1.3,
        charge_balance=1.0,
        thickness_m=35e-9,
        rolloff=RO,
    )
    assert q[0] == pytest.approx(purcell_quantum_yield(0.9, 1.3), rel=1e-6)


def test_auger_closed_form_against_root_finder():
    # no heating: steady state G = k0 n + n^2/(N tau_XX) solved numerically vs the closed form
    ro = RollOff(8e-9, 30e-12, 8e24, 0.0, 0.3, 380.0)
    J, d, q = 2e4, 35e-9, 0.9
    qe = effective_quantum_yield(
        np.array([J]), np.array([5.0]), plqy=q, purcell_factor=1.0, charge_balance=1.0, thickness_m=d, rolloff=ro
    )[0]
    G, k0, a = J / (1.602176634e-19 * d), 1 / 8e-9, 1 / (8e24 * 30e-12)
    n = brentq(lambda n: k0 * n + a * n * n - G, 0, G / k0)
    assert qe == pytest.approx((q / 8e-9) / (k0 + a * n), rel=1e-9)


def test_rolloff_monotonic_and_eqe_bounded():
    J = np.logspace(-3, 4, 200)
    V = 2.0 + 0.5 * np.log10(J + 1)
    qe = effective_quantum_yield(
        J, V, plqy=0.94, purcell_factor=1.0, charge_balance=np.ones_like(J), thickness_m=35e-9, rolloff=RO
    )
    assert np.all(np.diff(qe) <= 1e-15) and qe[-1] < qe[0]
    eqe = external_quantum_efficiency(np.ones_like(J), qe, 0.27)
    assert eqe.max() <= 0.27 * 0.94 + 1e-12
    with pytest.raises(InputError, match="eta_out"):
        external_quantum_efficiency(1.0, 0.9, 1.5)


def test_stretched_exponential_lifetimes():
    tau, beta = 100.0, 0.7
    t50 = time_to_fraction_min(0.5, tau, beta)
    assert luminance_decay(t50, tau, beta) == pytest.approx(0.5)
    assert luminance_decay(tau, tau, beta) == pytest.approx(np.exp(-1))
    assert decay_time_constant_min(t50, beta) == pytest.approx(tau)
    assert time_to_fraction_min(0.95, tau, beta) < t50


def test_lifetime_input_errors():
    with pytest.raises(InputError, match="beta"):
        luminance_decay(1.0, 10.0, 1.5)
    with pytest.raises(InputError, match="fraction"):
        time_to_fraction_min(1.2, 10.0, 0.8)
