"""The stored calibrated numbers are exactly what the documented fit to the paper gives."""

import pytest

from qdled.dots import ASSUMED, CALIBRATED
from qdled.dots.calibration import derive_calibration


def test_stored_calibration_matches_derivation():
    derived = derive_calibration()
    for name, value in derived.items():
        # values are stored with 5 significant digits
        assert CALIBRATED[name]["value"] == pytest.approx(value, rel=1e-4), name


def test_every_calibrated_entry_names_its_data():
    for name, entry in CALIBRATED.items():
        assert {"value", "unit", "fitted_to", "how"} <= set(entry), name
    for name, entry in ASSUMED.items():
        assert {"value", "why"} <= set(entry), name
