"""The stored calibrated numbers are exactly what the documented fit to the paper gives."""

import pytest

from qdled.dots import ASSUMED, CALIBRATED
from qdled.dots.calibration import derive_calibration


def test_stored_calibration_matches_derivation():
    derived = derive_calibration()
    for name, value in derived.items():
        # values are stored with 5 significant digits
        assert CALIBRATED[name].value == pytest.approx(value, rel=1e-4), name
    assert set(derived) == set(CALIBRATED)


def test_every_calibrated_entry_names_its_data():
    from types import MappingProxyType

    from qdled.io.paper import Calibrated, paper_values

    assert isinstance(CALIBRATED, MappingProxyType)  # frozen: nothing is added after definition
    for name, record in CALIBRATED.items():
        assert isinstance(record, Calibrated), name
        assert record.unit and record.how and set(record.fitted_to) <= set(paper_values()), name
    for name, entry in ASSUMED.items():
        assert {"value", "why"} <= set(entry), name
        assert name not in CALIBRATED  # an assumption is not a calibration
