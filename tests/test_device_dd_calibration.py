"""Drift-diffusion device calibrated on the NSA-NH4PF6 LED (qdled.device.dd.calibration) and run as a user runs it
(the default model of ``qdled device``).

Reference for the calibration targets: Li et al., Nat. Commun. 15, 5696 (2024): maximum luminance 4203 cd/m^2 at
5.8 V.
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
    r = runner.invoke(app, ["device", "--json"])  # the default model: drift-diffusion
    assert r.exit_code == 0, r.output
    return _strict_json(r.stdout)


def test_calibrated_luminance_maximum_through_cli(nsa):
    # the calibration targets, through the chain as a user runs it: the paper's maximum luminance and its voltage;
    # both rows carry the status "calibrated" and match within 1 %
    assert nsa["model"] == "drift-diffusion"
    assert nsa["max_luminance_cd_m2"] == pytest.approx(paper_value("nsa_pf6.max_luminance_cd_m2"), rel=0.01)
    assert nsa["voltage_at_max_luminance_V"] == pytest.approx(
        paper_value("nsa_pf6.voltage_at_max_luminance_V"), rel=0.01
    )
    assert nsa["luminance_turns_over"]
    for key in ("max_luminance_cd_m2", "voltage_at_max_luminance_V"):
        row = nsa["paper_comparison"][key]
        assert row["status"] == "calibrated" and row["model"] == pytest.approx(row["paper"], rel=0.01)
    assert nsa["paper_comparison"]["peak_eqe"]["status"] == "predicted"
    assert "nsa_pf6.max_luminance_cd_m2" in nsa["calibrated"]["qd_mobility_prefactor_m2_Vs"]["fitted_to"]
    assert "nsa_pf6.voltage_at_max_luminance_V" in nsa["calibrated"]["thermal_resistance_K_m2_W"]["fitted_to"]
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
    # photons out per electron cannot exceed the best outcoupling in the film x the Purcell-modified quantum yield
    # of the dots at the largest Purcell factor (PLQY of the chain's film, within 1e-3 of the paper's 0.94)
    from qdled.device.emission import purcell_quantum_yield

    prof = nsa["optics"]["position_resolved"]
    bound = max(prof["eta_out"]) * purcell_quantum_yield(nsa["inputs"]["plqy"], max(prof["purcell"]))
    assert nsa["inputs"]["plqy"] == pytest.approx(paper_value("nsa_pf6.plqy"), abs=1e-3)
    eqe = np.array(nsa["external_quantum_efficiency"])
    assert np.all(eqe >= 0) and np.all(eqe <= bound + 1e-12)
    assert nsa["peak_eqe"] <= bound
    # and at least the worst outcoupling x the photons generated per electron
    iqe = np.array(nsa["internal_quantum_efficiency"])
    assert np.all(eqe >= min(prof["eta_out"]) * iqe - 1e-12)


def test_heating_turns_the_luminance_over_and_only_heating(nsa):
    # without Joule heating (R_th = 0) the same electrical solution keeps brightening to the end of the sweep;
    # the device temperature follows T0 + R_th J V
    from dataclasses import replace

    from qdled.device.chain import DD_VOLTAGE_V, simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    V = DD_VOLTAGE_V[(DD_VOLTAGE_V >= 5.0) & (DD_VOLTAGE_V <= 7.0)]
    d = simulate_stack_drift_diffusion(default_stack(), "li2024-nsa-pf6", voltage_V=V)
    cold = d.dd.with_exciton(replace(d.dd.exciton, thermal_resistance_K_m2_W=0.0))
    photons_cold = cold.current_density_A_m2 * cold.external_quantum_efficiency
    photons_hot = d.dd.current_density_A_m2 * d.dd.external_quantum_efficiency
    assert np.all(np.diff(photons_cold) > 0)
    assert np.argmax(photons_hot) < V.size - 1
    rth = d.params.thermal_resistance_K_m2_W
    np.testing.assert_allclose(d.dd.temperature_K, 300.0 + rth * d.dd.current_density_A_m2 * V, rtol=1e-12)


def test_thicker_pot2t_does_not_raise_current():
    # more electron-transport layer in series cannot carry more current at the same voltage; 5 nm also exercises
    # a cathode field that crosses zero near 2.1 V (a former Newton 2-cycle in the image-force lowering)
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    V = np.array([0.0, 2.0, 2.2, 4.0, 5.8])
    J = []
    for t in (5.0, 37.0, 80.0):
        d = simulate_stack_drift_diffusion(
            default_stack().with_values({"PO-T2T.thickness_nm": t}), "li2024-nsa-pf6", voltage_V=V
        )
        J.append(d.dd.current_density_A_m2[1:])
    J = np.array(J)
    assert np.all(J > 0) and np.all(np.diff(J, axis=0) <= 0)


def test_control_predicted_dimmer_and_less_efficient():
    # predicted (nothing fitted on the control by this model): the OA/OAm shell (longer tunnelling distance, the
    # dots stage's lower film PLQY and shorter lifetime) gives a lower current, luminance and EQE than the
    # NSA-NH4PF6 device at the same voltage; the rows are marked predicted
    r = runner.invoke(app, ["device", "--recipe", "li2024-control", "--json"])
    assert r.exit_code == 0, r.output
    ctl = _strict_json(r.stdout)
    from qdled.device.chain import simulate_stack_drift_diffusion
    from qdled.io.stack import default_stack

    nsa = simulate_stack_drift_diffusion(default_stack(), "li2024-nsa-pf6", voltage_V=np.array([0.0, 4.0, 5.8]))
    i = ctl["voltage_V"].index(5.8)
    assert ctl["luminance_cd_m2"][i] < nsa.result.luminance_cd_m2[-1]
    assert ctl["current_density_mA_cm2"][i] < nsa.result.current_density_mA_cm2[-1]
    assert ctl["peak_eqe"] < nsa.result.figures_of_merit()["peak_eqe"]
    assert {row["status"] for k, row in ctl["paper_comparison"].items() if not k.startswith("t50")} == {"predicted"}


@pytest.mark.slow
def test_refit_reproduces_frozen_value():
    from qdled.device.dd.calibration import DD_CALIBRATED, calibrate

    out = calibrate()
    for key in ("qd_mobility_prefactor_m2_Vs", "thermal_resistance_K_m2_W"):
        assert out[key] == pytest.approx(DD_CALIBRATED[key].value, rel=0.01)
    assert out["luminance_cd_m2"] == pytest.approx(paper_value("nsa_pf6.max_luminance_cd_m2"), rel=1e-3)
