"""Drift-diffusion device calibrated on the NSA-NH4PF6 LED (qdled.device.dd.calibration) and run as a user runs it.

Reference for the calibration target: Li et al., Nat. Commun. 15, 5696 (2024): 4203 cd/m^2 at 5.8 V.
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdled.cli.main import app
from qdled.io.paper import paper_value

runner = CliRunner()


def _strict_json(text):
    def no_constant(c):
        raise AssertionError(f"non-finite number {c} in the JSON output")

    return json.loads(text, parse_constant=no_constant)


@pytest.fixture(scope="module")
def nsa():
    r = runner.invoke(app, ["device", "--model", "drift-diffusion", "--json"])
    assert r.exit_code == 0, r.output
    return _strict_json(r.stdout)


def test_calibrated_luminance_at_paper_voltage_through_cli(nsa):
    # the one calibration target: the paper's maximum luminance at its voltage, through the chain as a user runs it
    v = paper_value("nsa_pf6.voltage_at_max_luminance_V")
    i = nsa["voltage_V"].index(v)
    assert nsa["luminance_cd_m2"][i] == pytest.approx(paper_value("nsa_pf6.max_luminance_cd_m2"), rel=0.01)
    rec = nsa["calibrated"]["qd_mobility_prefactor_m2_Vs"]
    assert "nsa_pf6.max_luminance_cd_m2" in rec["fitted_to"]
    assert "calibrated" in nsa["note"] and "predicted" in nsa["note"]
    for key in ("max_luminance_cd_m2", "voltage_at_max_luminance_V", "turn_on_voltage_V", "luminance_turns_over"):
        assert key in nsa


def test_luminance_rises_monotonically_below_its_maximum(nsa):
    L = np.array(nsa["luminance_cd_m2"])
    V = np.array(nsa["voltage_V"])
    k = int(np.argmax(L))
    lit = L[: k + 1] > 1e-6  # where any light is emitted at all
    assert np.all(np.diff(L[: k + 1][lit]) > 0)
    assert nsa["max_luminance_cd_m2"] == pytest.approx(L[k]) and nsa["voltage_at_max_luminance_V"] == V[k]
    # turn-on (1 cd/m^2) lies inside the sweep and below the calibration voltage
    assert 0 < nsa["turn_on_voltage_V"] < paper_value("nsa_pf6.voltage_at_max_luminance_V")


def test_eqe_below_outcoupling_times_radiative_yield(nsa):
    # photons out per electron cannot exceed eta_out x the Purcell-modified quantum yield of the dots
    from qdled.device.emission import purcell_quantum_yield

    bound = nsa["optics"]["eta_out"] * purcell_quantum_yield(
        paper_value("nsa_pf6.plqy"), nsa["optics"]["purcell_factor"]
    )
    eqe = np.array(nsa["external_quantum_efficiency"])
    assert np.all(eqe >= 0) and np.all(eqe <= bound + 1e-12)
    assert nsa["peak_eqe"] <= bound


def test_thicker_pot2t_does_not_raise_current():
    # more electron-transport layer in series cannot carry more current at the same voltage; 5 nm also exercises
    # a cathode field that crosses zero near 2.1 V (a former Newton 2-cycle in the image-force lowering)
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    V = np.array([0.0, 2.0, 2.2, 4.0, 5.8])
    J = []
    for t in (5.0, 37.0, 80.0):
        r, _ = simulate_stack_drift_diffusion(
            default_stack().with_values({"PO-T2T.thickness_nm": t}), "li2024-nsa-pf6", voltage_V=V
        )
        J.append(r.current_density_A_m2[1:])
    J = np.array(J)
    assert np.all(J > 0) and np.all(np.diff(J, axis=0) <= 0)


def test_control_predicted_dimmer_and_less_efficient():
    # predicted (nothing fitted on the control): the OA/OAm shell (longer tunnelling distance, lower PLQY, shorter
    # lifetime) gives a lower current, luminance and EQE than the NSA-NH4PF6 device at the same voltage
    r = runner.invoke(app, ["device", "--model", "drift-diffusion", "--recipe", "li2024-control", "--json"])
    assert r.exit_code == 0, r.output
    ctl = _strict_json(r.stdout)
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    _, nsa = simulate_stack_drift_diffusion(default_stack(), "li2024-nsa-pf6", voltage_V=np.array([0.0, 4.0, 5.8]))
    i = ctl["voltage_V"].index(5.8)
    assert ctl["luminance_cd_m2"][i] < nsa["luminance_cd_m2"][-1]
    assert ctl["current_density_mA_cm2"][i] < nsa["current_density_mA_cm2"][-1]
    assert ctl["peak_eqe"] < nsa["peak_eqe"]


@pytest.mark.slow
def test_refit_reproduces_frozen_value():
    from qdled.device.dd.calibration import DD_CALIBRATED, calibrate

    out = calibrate()
    assert out["qd_mobility_prefactor_m2_Vs"] == pytest.approx(
        DD_CALIBRATED["qd_mobility_prefactor_m2_Vs"].value, rel=0.01
    )
    assert out["luminance_cd_m2"] == pytest.approx(paper_value("nsa_pf6.max_luminance_cd_m2"), rel=1e-3)
