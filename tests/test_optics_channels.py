"""Loss channels, mode classification, quadrature convergence and the stack-level API."""

import numpy as np
import pytest

import qdled.optics.channels as channels
from qdled.errors import InputError
from qdled.io.stack import default_stack, stack_from_dict
from qdled.optics import effective_radiative_efficiency, el_spectrum, pl_spectrum, stack_emission, summary
from qdled.optics.dipole import make_geometry, power_dissipation
from qdled.optics.outcoupling import geometry


@pytest.fixture(scope="module")
def stack():
    return default_stack()


@pytest.fixture(scope="module")
def result(stack):
    return summary(stack)


def test_channels_sum_to_one_and_are_non_negative(result):
    # Energy conservation: every dissipated photon ends in exactly one channel.
    fr = result["fractions"]
    assert sum(fr.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(v > -1e-9 for v in fr.values())
    assert sum(result["absorbed_by_layer"].values()) == pytest.approx(fr["absorbed"], abs=1e-9)


def test_lossless_layers_absorb_nothing(result):
    # Flux differences across lossless layers (the emitter is treated as lossless, the Cauchy
    # organics have k = 0) must vanish: a check of flux continuity in the transfer matrices.
    for name in ("PTAA", "QD", "TmPyPB", "PO-T2T", "LiF"):
        assert abs(result["absorbed_by_layer"][name]) < 1e-9
    assert result["absorbed_by_layer"]["Al"] > 0.01


def test_purcell_equals_brute_force_real_axis_integral(stack):
    # Convergence in the u grid: the adaptive, contour-deformed sum of all channels must equal
    # a dense trapezoid integral of K on the real axis (substitutions u = sin t, u = cosh x
    # remove the light-line singularities; the Al-bound modes are lossy so the real axis is
    # safe here). Tolerance 2e-4: trapezoid error on 4e5 points and the u <= 60 cut-off.
    geom, n_out, _ = geometry(stack, [628.0])
    em = channels.emission(geom, [12.0], n_outside=n_out, tol=1e-6)
    t = np.linspace(0, np.pi / 2, 200001)[1:-1]
    x = np.linspace(0, np.arccosh(60.0), 200001)[1:]
    k1 = power_dissipation(geom, np.sin(t)[None], [12.0])
    k2 = power_dissipation(geom, np.cosh(x)[None], [12.0])
    for o in ("v", "h"):
        brute = np.trapezoid(k1[o][0, 0] * np.cos(t), t) + np.trapezoid(k2[o][0, 0] * np.sinh(x), x)
        assert em.purcell[o][0] == pytest.approx(brute, abs=2e-4)


def test_tolerance_and_contour_depth_do_not_change_results(stack, monkeypatch):
    geom, n_out, _ = geometry(stack, [610.0, 640.0])
    pos = [5.0, 20.0]
    ref = channels.emission(geom, pos, n_outside=n_out, tol=1e-7)
    loose = channels.emission(geom, pos, n_outside=n_out, tol=1e-4)
    monkeypatch.setattr(channels, "CONTOUR_ETA", 0.12)
    shallow = channels.emission(geom, pos, n_outside=n_out, tol=1e-7)
    assert loose.error < 1e-4
    for o in ("v", "h"):
        for c in channels.CHANNELS:
            np.testing.assert_allclose(loose.power[o][c], ref.power[o][c], atol=1e-4)
            np.testing.assert_allclose(shallow.power[o][c], ref.power[o][c], atol=1e-6)


def test_splitting_a_layer_changes_nothing(stack, result):
    data = stack.to_dict()
    layers = []
    for layer in data["layers"]:
        if layer["name"] == "PO-T2T":
            half = dict(layer, thickness_nm=layer["thickness_nm"] / 2)
            layers += [dict(half, name="PO-T2T-a"), dict(half, name="PO-T2T-b")]
        else:
            layers.append(layer)
    split = summary(stack_from_dict(dict(data, layers=layers)))
    for c, v in result["fractions"].items():
        assert split["fractions"][c] == pytest.approx(v, abs=1e-7)
    assert split["purcell_factor"] == pytest.approx(result["purcell_factor"], abs=1e-7)


def _slab(k_cladding):
    # glass / 20 nm cladding / 250 nm emitter slab n=2 / air: lossless TE and TM guided modes
    n = np.array([[complex(1.7, k_cladding), 2.0]])
    return make_geometry(n, [20.0, 250.0], 1, 1.5, 1.0, [600.0])


def test_lossless_guided_modes_are_the_small_loss_limit(monkeypatch):
    # Lossless waveguide poles sit on the real u axis; the deformed contour must give the
    # loss -> 0+ limit: compare with a cladding of k = 1e-7 (poles just above the axis).
    lossless = channels.emission(_slab(0.0), [60.0, 125.0], n_outside=1.0, tol=1e-6)
    lossy = channels.emission(_slab(1e-7), [60.0, 125.0], n_outside=1.0, tol=1e-6)
    monkeypatch.setattr(channels, "CONTOUR_ETA", 0.1)
    shallow = channels.emission(_slab(0.0), [60.0, 125.0], n_outside=1.0, tol=1e-6)
    for o in ("v", "h"):
        assert lossless.power[o]["waveguide"][0] > 0.1
        assert abs(lossless.power[o]["plasmon"][0]) < 1e-6  # no absorber: nothing beyond the light lines
        assert lossless.purcell[o][0] == pytest.approx(lossy.purcell[o][0], abs=1e-4)
        assert lossless.purcell[o][0] == pytest.approx(shallow.purcell[o][0], abs=1e-6)


def test_modes_classified_by_effective_index(stack):
    em = stack_emission(stack, [628.0])
    n_glass = stack.substrate.index(628.0).real
    n_qd = stack.layer("QD").index(628.0).real
    te = [m for m in em.modes if m.polarisation == "TE"]
    tm = [m for m in em.modes if m.polarisation == "TM"]
    assert te and tm
    assert all(n_glass < m.n_eff < n_qd for m in em.modes)  # guided modes sit below the QD index
    assert all(m.channel == "waveguide" for m in te)
    assert tm[-1].channel == "plasmon"  # the highest-index TM mode is bound to the Al


def test_default_device_outcoupling_and_eqe_ceiling(result):
    # Expected range for a bottom-emitting planar QLED without outcoupling aids (~20-30 %,
    # e.g. Brütting et al., Phys. Status Solidi A 210, 44 (2013)); not fitted to the paper.
    assert 0.2 < result["eta_out"] < 0.3
    q = effective_radiative_efficiency(result["purcell_factor"], 0.94)
    assert result["q_eff"] == pytest.approx(q)
    assert result["eqe_ceiling"] == pytest.approx(result["charge_balance"] * q * result["eta_out"])
    for key in (
        "wavelength_nm",
        "purcell_factor",
        "purcell_vertical",
        "purcell_horizontal",
        "fractions",
        "eqe_ceiling",
    ):
        assert key in result


def test_effective_radiative_efficiency_limits():
    assert effective_radiative_efficiency(1.0, 0.7) == pytest.approx(0.7)
    assert effective_radiative_efficiency(1e9, 0.3) == pytest.approx(1.0, abs=1e-6)
    assert effective_radiative_efficiency(2.0, 1.0) == pytest.approx(1.0)


def test_el_spectrum_is_the_cavity_filtered_pl(stack):
    pl = pl_spectrum(n_points=31)
    res = el_spectrum(stack, pl)
    em = res.emission
    h = stack.emitter.horizontal_fraction
    p_out = h * em.power["h"]["outcoupled"] + (1 - h) * em.power["v"]["outcoupled"]
    expected = pl.intensity * p_out
    np.testing.assert_allclose(res.el.intensity, expected / expected.max(), rtol=1e-12)
    np.testing.assert_array_equal(res.el.wavelength_nm, pl.wavelength_nm)
    assert abs(res.el.peak_nm - res.pl.peak_nm) < 10.0
    assert summary(stack, spectrum=pl)["eta_out"] == pytest.approx(res.eta_out)
    with pytest.raises(InputError, match="non-negative"):
        el_spectrum(stack, pl.scaled(np.where(np.arange(31) == 0, -1.0, 1.0)))


def test_emission_zone_profile_forms_agree(stack):
    # An array profile concentrated on one plane equals that plane; a flat profile over the
    # slice midpoints equals "uniform".
    one = stack_emission(stack, [628.0], zone=0.25)
    prof = stack_emission(stack, [628.0], zone=([0.25, 0.75], [1.0, 0.0]))
    frac = (np.arange(11) + 0.5) / 11
    flat = stack_emission(stack, [628.0], zone=(frac, np.ones(11)))
    uni = stack_emission(stack, [628.0], zone="uniform")
    for o in ("v", "h"):
        assert prof.purcell[o][0] == pytest.approx(one.purcell[o][0], abs=1e-9)
        assert flat.purcell[o][0] == pytest.approx(uni.purcell[o][0], abs=1e-9)
    from qdled.errors import InputError

    for bad in (1.5, "edge", ([0.2, 1.2], [1, 1])):
        with pytest.raises(InputError):
            stack_emission(stack, [628.0], zone=bad)


def test_incoherent_substrate_equals_phase_averaged_coherent_substrate(stack):
    # Independent check of the intensity multiple-reflection treatment of the thick glass:
    # a coherent glass layer between the stack and a semi-infinite air half-space, averaged
    # uniformly over one period of its round-trip phase, is exactly the incoherent limit.
    wl = np.array([628.0])
    n_layers = stack.layer_indices(wl)
    n_glass = 1.52
    inc = make_geometry(n_layers, stack.thicknesses_nm, stack.emitter_index, n_glass, 1.0, wl)
    u = np.array([[0.05, 0.2, 0.35]])  # inside the air cone (n_eff < 1)
    pos = [10.0]
    ref = channels.radiative_densities(inc, u, pos, np.array([1.0]), substrate_coherent=False)
    q_glass = np.sqrt(n_glass**2 - (u * inc.n_emitter[0]) ** 2)[0]
    period = 628.0 / (2 * q_glass)  # thickness change that shifts the round-trip phase by 2 pi
    n_avg = 64
    acc = None
    for i in range(n_avg):  # each u needs its own thickness set: evaluate column by column
        cols = []
        for k in range(u.shape[1]):
            d = np.concatenate([[20000.0 + period[k] * i / n_avg], stack.thicknesses_nm])
            coh = make_geometry(
                np.concatenate([[[n_glass]], n_layers], axis=1), d, stack.emitter_index + 1, 1.0, 1.0, wl
            )
            dens = channels.radiative_densities(coh, u[:, k : k + 1], pos, np.array([1.0]), substrate_coherent=True)
            cols.append(dens)
        sample = {
            key: np.concatenate([c[key] for c in cols], axis=-1)
            for key in ("v.outcoupled", "h.outcoupled", "h.top", "h.layer1", "v.layer8")
        }
        acc = sample if acc is None else {key: acc[key] + sample[key] for key in acc}
    # layer j of the incoherent geometry is layer j + 1 of the coherent one (ITO: 0, Al: 7)
    pairs = (
        ("v.outcoupled", "v.outcoupled"),
        ("h.outcoupled", "h.outcoupled"),
        ("h.top", "h.top"),
        ("h.layer1", "h.layer0"),
        ("v.layer8", "v.layer7"),
    )
    for key, layer_key in pairs:
        assert np.all(ref[layer_key] > 0)
        np.testing.assert_allclose(acc[key] / n_avg, ref[layer_key], rtol=1e-6, atol=1e-12)


def test_power_into_both_half_spaces_matches_independent_far_field_code():
    # Reference: PyRAMIDS far-field power into the top and the substrate half-spaces (independent code,
    # see the fixture's "source") for the random stacks with a lossless top medium, several with a top
    # index above the substrate's (light escapes upwards beyond the substrate light line). Tolerance
    # 1e-5 of the free-dipole power: PyRAMIDS' angular integration agrees with ours to ~2e-6.
    import json
    from pathlib import Path

    here = Path(__file__).parent / "fixtures"
    stacks = json.loads((here / "pyramids_random_stacks.json").read_text())["cases"]
    radiated = json.loads((here / "pyramids_random_radiated.json").read_text())["cases"]
    assert any(stacks[r["i"]]["ntop"][0] > stacks[r["i"]]["nsub"] for r in radiated)
    for r in radiated:
        c = stacks[r["i"]]
        n_layers = np.array([[complex(*x) for x in c["n_layers"]]])
        geom = make_geometry(n_layers, c["d"], c["e"], c["nsub"], complex(*c["ntop"]), [c["wl"]])
        em = channels.emission(geom, [c["z"]], substrate_coherent=True, tol=1e-7)
        n_e = n_layers[0, c["e"]].real
        for o, key in (("h", "par"), ("v", "perp")):
            assert em.power[o]["top"][0] == pytest.approx(r[f"up_{key}"] / n_e, abs=1e-5), (r["i"], o)
            assert em.power[o]["outcoupled"][0] == pytest.approx(r[f"dn_{key}"] / n_e, abs=1e-5), (r["i"], o)


def test_top_index_above_the_substrate_index_gives_finite_consistent_channels(stack):
    # Issue #16: a lossless constant-index substrate under a top medium of higher index gave NaN for
    # every figure. Independent check of the incoherent-substrate bookkeeping there: with an outside
    # medium of the substrate's own index nothing is reflected at the far side of the substrate, so
    # the incoherent treatment must equal a coherent substrate half-space (all power entering it is
    # outcoupled), which is checked against PyRAMIDS above. Tolerance: the quadrature's (1e-6 here).
    data = stack.to_dict()
    data.update(substrate={"n": 1.52}, outside={"n": 1.52}, top={"n": 1.6})
    res = summary(stack_from_dict(data))
    fr = res["fractions"]
    assert all(np.isfinite(v) and 0 <= v <= 1 for v in fr.values()), fr
    assert sum(fr.values()) == pytest.approx(1.0, abs=1e-9)
    assert fr["top"] > 0 and res["quadrature_converged"]  # a little leaks through the 60 nm Al
    geom, _, _ = geometry(stack_from_dict(data), [628.0])
    pos = [5.0, 20.0]
    inc = channels.emission(geom, pos, n_outside=1.52, tol=1e-7)
    coh = channels.emission(geom, pos, substrate_coherent=True, tol=1e-7)
    for o in ("v", "h"):
        for c in ("outcoupled", "top", "waveguide", "plasmon", "absorbed"):
            np.testing.assert_allclose(inc.power[o][c], coh.power[o][c], atol=1e-6)
        assert inc.power[o]["substrate"][0] == pytest.approx(0.0, abs=1e-6)
