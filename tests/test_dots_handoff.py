"""Synthesis -> dots handoff: PL of a mean size vs time, and of a full simulated distribution."""

from types import SimpleNamespace

import numpy as np
import pytest

from qdled.dots import pl_peak_track_nm, summarize, summarize_synthesis
from qdled.errors import InputError


def test_pl_track_matches_summary_and_is_monotone():
    track = pl_peak_track_nm([np.nan, 3.5, 4.3, 5.0])
    assert np.isnan(track[0])
    # at 4.3 nm the track is the calibrated point: PL 623 nm (Li et al., Nat. Commun. 15, 5696 (2024))
    assert track[2] == pytest.approx(summarize(4.3)["pl_peak_nm"], abs=1e-6)
    assert track[2] == pytest.approx(623.0, abs=0.5)
    assert np.all(np.diff(track[1:]) > 0)  # larger dots emit redder light


def test_summarize_synthesis_narrow_distribution_limit():
    """A distribution as narrow as the effective optical spread gives the same PL as the mean."""
    edge = np.linspace(2.0, 7.0, 501)
    number = np.exp(-0.5 * ((edge - 4.3) / 0.137) ** 2)
    result = SimpleNamespace(
        mean_edge_nm=4.3, nsa_mmol=0.6, edge_nm=edge, number_per_m3=number[None, :], mean_edge_t_nm=np.array([4.0, 4.3])
    )
    out = summarize_synthesis(result, "NH4PF6")
    assert out["pl_peak_full_distribution_nm"] == pytest.approx(out["pl_peak_nm"], abs=0.3)
    assert out["pl_fwhm_full_distribution_nm"] == pytest.approx(out["pl_fwhm_nm"], rel=0.02)
    assert out["pl_peak_t_nm"].shape == (2,)
    with pytest.raises(InputError, match="route"):
        summarize_synthesis(result, "water")


def test_ligand_shell_follows_route_and_nsa_dose():
    """NSA injected during synthesis stays on the dots whatever the purification route (Li et al. 2024: NSA
    replaces OAm, PF6 is added only by NH4PF6 purification), so the handed-over PLQY and lifetime follow it."""
    from qdled.dots import plqy
    from qdled.dots.summary import synthesis_ligands

    assert synthesis_ligands("OA/OAm", 0.0) == ("OAm",)
    assert synthesis_ligands("OA/OAm", 0.3) == ("OAm", "NSA")
    assert synthesis_ligands("NH4PF6", 0.6) == ("OAm", "NSA", "PF6")
    edge = np.linspace(2.0, 7.0, 201)
    number = np.exp(-0.5 * ((edge - 4.37) / 0.5) ** 2)
    out = {}
    for dose in (0.0, 0.3):
        result = SimpleNamespace(
            mean_edge_nm=4.37,
            nsa_mmol=dose,
            edge_nm=edge,
            number_per_m3=number[None, :],
            mean_edge_t_nm=np.array([4.37]),
        )
        out[dose] = summarize_synthesis(result, "OA/OAm")
    assert out[0.3]["plqy"] == pytest.approx(plqy(4.37, ligands=("OAm", "NSA")).plqy, rel=1e-9)
    assert out[0.3]["plqy"] > out[0.0]["plqy"]
    assert out[0.0]["plqy"] == pytest.approx(plqy(4.37, ligands="OA/OAm").plqy, rel=1e-9)
