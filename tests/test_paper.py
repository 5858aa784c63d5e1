"""qdled.io.paper: the paper's numbers come from its data file by name, and the one provenance record."""

import ast
from pathlib import Path

import pytest

import qdled
from qdled.errors import InputError
from qdled.io.paper import Calibrated, fitted_keys, paper_conditions, paper_value, paper_values, status

#: Results of the paper distinctive enough to find as literals (623 nm PL, 628 nm EL, 4203 cd/m2, ...).
DISTINCT = {
    paper_values()[k].value
    for k in (
        "nsa_pf6.pl_peak_nm",
        "nsa_pf6.el_peak_nm",
        "control.pl_peak_nm",
        "nsa_0.pl_peak_nm",
        "nsa_0.2.pl_peak_nm",
        "nsa_0.6.pl_peak_nm",
        "nsa_pf6.max_luminance_cd_m2",
        "control.max_luminance_cd_m2",
        "nsa_pf6.t50_min",
        "nsa_pf6.peak_eqe",
        "control.peak_eqe",
        "nsa_pf6.cie_x",
        "nsa_pf6.cie_y",
    )
}


def test_no_paper_result_is_typed_in_the_code():
    """Numbers of the paper are read from qdled/data/paper/li2024.toml by name, never typed again as literals."""
    found = []
    for path in sorted(Path(qdled.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value in DISTINCT:
                found.append(f"{path.name}:{node.lineno}: {node.value}")
    assert not found, found


def test_results_and_conditions_are_apart():
    assert "nsa_pf6.t50_l0_cd_m2" in paper_conditions() and "nsa_pf6.t50_l0_cd_m2" not in paper_values()
    assert paper_value("nsa_pf6.t50_l0_cd_m2") == 1000.0 and paper_value("nsa_pf6.pl_peak_nm") == 623.0
    assert not set(paper_values()) & set(paper_conditions())
    with pytest.raises(InputError, match="no paper value"):
        paper_value("nsa_pf6.nope")


def test_calibrated_record():
    r = Calibrated(1.5, "nm", "nsa_pf6.pl_peak_nm", "a fit")
    assert r.fitted_to == ("nsa_pf6.pl_peak_nm",)
    assert r.targets == "nsa_pf6.pl_peak_nm = 623 nm"  # the number comes from the data file
    assert r.to_dict() == {
        "value": 1.5,
        "unit": "nm",
        "fitted_to": ["nsa_pf6.pl_peak_nm"],
        "targets": "nsa_pf6.pl_peak_nm = 623 nm",
        "how": "a fit",
    }
    with pytest.raises(AttributeError):
        r.value = 2.0  # frozen
    with pytest.raises(ValueError, match="no paper result"):
        Calibrated(1.0, "nm", ("nsa_pf6.nope",), "a fit")
    with pytest.raises(ValueError, match="no paper result"):  # a condition is not a result to fit
        Calibrated(1.0, "cd/m2", ("nsa_pf6.t50_l0_cd_m2",), "a fit")
    with pytest.raises(ValueError, match="at least one"):
        Calibrated(1.0, "nm", (), "a fit")
    with pytest.raises(ValueError, match="finite"):
        Calibrated(float("nan"), "nm", ("nsa_pf6.pl_peak_nm",), "a fit")


def test_status_is_derived_from_records():
    r = Calibrated(1.0, "1", ("nsa_pf6.plqy", "nsa_pf6.tau_avg_ns"), "k_r = PLQY / tau")
    assert fitted_keys([r]) == {"nsa_pf6.plqy", "nsa_pf6.tau_avg_ns"}
    assert status("nsa_pf6.plqy", [r]) == "calibrated"
    assert status("nsa_pf6.peak_eqe", [r]) == "predicted"
    assert status("nsa_pf6.plqy", []) == "predicted"
    with pytest.raises(InputError, match="no paper value"):
        status("nsa_pf6.nope", [r])


def test_every_stage_records_its_calibration_in_the_one_record():
    from types import MappingProxyType

    from qdled.device import CALIBRATED as DEVICE
    from qdled.device import DEVICE_NAMES, device_parameters
    from qdled.dots import CALIBRATED as DOTS
    from qdled.synthesis import CALIBRATED as SYNTHESIS
    from qdled.synthesis import SynthesisParameters

    for mapping in (DOTS, SYNTHESIS, DEVICE, *DEVICE.values()):
        assert isinstance(mapping, MappingProxyType)
    for r in (*DOTS.values(), *SYNTHESIS.values(), *(r for d in DEVICE.values() for r in d.values())):
        assert isinstance(r, Calibrated)
    # the parameter sets take their values from the records
    for name in DEVICE_NAMES:
        for field, record in DEVICE[name].items():
            assert getattr(device_parameters(name), field) == record.value, (name, field)
    for field, record in SYNTHESIS.items():
        assert getattr(SynthesisParameters(), field) == record.value, field
