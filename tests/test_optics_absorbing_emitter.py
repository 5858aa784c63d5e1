"""Absorbing emitter layer (issue #23): the emitter's own absorption as the channel "emitter_absorbed".

References: Poynting's theorem (the power absorbed in a slab equals the drop of the net flux across it;
Novotny & Hecht, Principles of Nano-Optics, 2nd ed., sec. 2.8) checked against the volume integral of
(omega eps0 / 2) Im(eps) |E|^2 of the explicit plane-wave fields; the lossless emitter code path for k -> 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from qdled.io.stack import default_stack
from qdled.optics import stack_emission, summary
from qdled.optics.channels import CHANNELS
from qdled.optics.dipole import COMPONENTS, dipole_fields, make_geometry
from qdled.optics.tmm import net_flux


def _geometry(n_o=2.0 + 0.05j, n_z=1.9 + 0.03j, wl=620.0):
    # glass | 40 nm absorbing uniaxial emitter | 30 nm organic | silver-like top
    return make_geometry(
        np.array([[n_o, 1.7]]),
        [40.0, 30.0],
        0,
        1.5,
        0.1 + 4.0j,
        [wl],
        n_layers_z=np.array([[n_z, 1.7]]),
        absorbing_emitter=True,
    )


@pytest.mark.parametrize("z0", [3.0, 15.0, 33.0])
def test_emitter_absorption_equals_volume_integral_of_im_eps_e2(z0):
    # Reference: Poynting's theorem. The code splits the power leaving the dipole plane into the fluxes
    # reaching the emitter layer's interfaces (net_flux with the attenuation |exp(i kz z)|^2) and the rest;
    # here that rest is computed instead as k0 * int [Im(eps_o) |E_x|^2 + Im(eps_z) |E_z|^2] dz (p) or
    # k0 * int Im(eps_o) |E_y|^2 dz (s) of the explicit standing-wave fields on both sides of the dipole,
    # over the flux leaving the dipole plane. 200-node Gauss-Legendre per side (smooth integrand): tolerance 1e-9.
    geom = _geometry()
    u = np.array([[0.05, 0.3, 0.6, 0.74]])
    f = dipole_fields(geom, u, [z0])
    k0 = 2 * np.pi / 620.0
    n_r = geom.n_emitter[0]
    eo, ez = geom.n[0, 1] ** 2, geom.n_z[0, 1] ** 2
    x, w = np.polynomial.legendre.leggauss(200)
    for name, pol, sign in COMPONENTS:
        q = f.q[pol][1][0]  # kz / k0 in the emitter
        r_b, r_t = f.bottom[pol].r[0], f.top[pol].r[0]
        neff = u[0] * n_r
        absorbed, leaving = 0.0, 0.0
        for dist, r_far, a_near in ((40.0 - z0, r_t, r_b), (z0, r_b, r_t)):  # above, then below the dipole
            a_far = r_far * np.exp(2j * k0 * q * dist)
            a_own = a_near * np.exp(2j * k0 * q * (40.0 - dist))
            amp = np.abs(1 + sign * a_own) ** 2
            zz = 0.5 * dist * (x[:, None] + 1)  # distance from the dipole plane
            plus = np.exp(1j * k0 * q * zz) + a_far * np.exp(-1j * k0 * q * zz)
            minus = np.exp(1j * k0 * q * zz) - a_far * np.exp(-1j * k0 * q * zz)
            if pol == "s":
                dens = k0 * eo.imag * np.abs(plus) ** 2
            else:
                dens = k0 * (
                    eo.imag * np.abs(q / eo) ** 2 * np.abs(minus) ** 2
                    + ez.imag * np.abs(neff / ez) ** 2 * np.abs(plus) ** 2
                )
            absorbed = absorbed + amp * 0.5 * dist * np.sum(w[:, None] * dens, axis=0)
            leaving = leaving + amp * net_flux(pol, geom.n[0, 1], q, a_far)
        expected = absorbed / leaving
        got = 1 - f.up[name][0, 0] - f.down[name][0, 0]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
        assert np.all(got > 0)


def test_s_and_horizontal_p_flux_equals_re_f_in_absorbing_emitter():
    # Reference: for E_y (s) and the horizontal dipole's p field the source has no contact term, so the
    # power flowing out of the dipole plane equals -1/2 Re(J* E) = Re f exactly (Poynting's theorem in a
    # slab of zero thickness); round-off tolerance.
    geom = _geometry()
    u = np.array([[0.05, 0.3, 0.6, 0.74]])
    split = dipole_fields(geom, u, [12.0])
    plain = dipole_fields(geom, u, [12.0], need_split=False)
    for name in ("hs", "hp"):
        np.testing.assert_allclose(split.f[name].real, plain.f[name].real, rtol=1e-12)


def _absorbing(k):
    return default_stack().with_values({"QD.n": 2.0479, "QD.k": k, "emitter.absorbing": True})


def test_energy_balance_and_emitter_channel_on_default_stack():
    # Energy conservation of the model: the channels, now with emitter_absorbed, sum to the Purcell factor
    # (fractions to 1) and none is negative; the film's reabsorption is a few per cent at k = 0.068
    # (CsPbI3 QD film at 628 nm, refractiveindex.info Aftenieva entry) and lowers the outcoupling.
    st = default_stack().with_values({"emitter.absorbing": True})
    em = stack_emission(st, [600.0, 628.0, 660.0])
    assert em.converged
    for o in ("v", "h"):
        total = sum(em.power[o][c] for c in CHANNELS)
        np.testing.assert_allclose(total, em.purcell[o], rtol=1e-12)
        assert all(np.all(em.power[o][c] >= 0) for c in CHANNELS)
    fr = em.fractions(2 / 3)
    assert np.all((fr["emitter_absorbed"] > 0.005) & (fr["emitter_absorbed"] < 0.2))
    lossless = stack_emission(default_stack(), [600.0, 628.0, 660.0]).fractions(2 / 3)
    assert np.all(fr["outcoupled"] < lossless["outcoupled"])
    assert np.all(lossless["emitter_absorbed"] == 0.0)
    res = summary(st)
    assert res["fractions"]["emitter_absorbed"] > 0


def test_k_to_zero_is_continuous():
    # Reference: the lossless-emitter code path (as before issue #23). The absorbing-emitter figures must
    # tend to it continuously: the change at k = 1e-7 is below 1e-6 of the free-dipole power, and the
    # emitter's absorption is linear in k for small k (ratio of k = 2e-4 and 1e-4 within 2 +- 0.05).
    base = summary(default_stack().with_values({"QD.n": 2.0479, "QD.k": 0.0}))
    tiny = summary(_absorbing(1e-7))
    for c in CHANNELS:
        assert tiny["fractions"][c] == pytest.approx(base["fractions"][c], abs=2e-6)
    assert tiny["purcell_factor"] == pytest.approx(base["purcell_factor"], abs=2e-6)
    a1 = summary(_absorbing(1e-4))["fractions"]["emitter_absorbed"]
    a2 = summary(_absorbing(2e-4))["fractions"]["emitter_absorbed"]
    assert a2 / a1 == pytest.approx(2.0, abs=0.05)


def test_absorbing_flag_without_k_is_the_lossless_path():
    # absorbing = true on a lossless emitter: exactly the lossless figures (same code path).
    a = summary(default_stack().with_values({"QD.n": 2.0479, "QD.k": 0.0}))
    b = summary(_absorbing(0.0))
    assert a["fractions"] == b["fractions"]


def test_far_field_of_absorbing_emitter_integrates_to_outcoupled():
    # Reference: Furno et al., Phys. Rev. B 85, 115205 (2012), eq. 11 (radiant intensity from K_out): the
    # far field over the hemisphere returns the outcoupled power, with the film's reabsorption taken out of
    # both. Trapezoid rule over 0.25 deg steps: tolerance 2e-3 relative.
    from qdled.optics import far_field

    st = default_stack().with_values({"emitter.absorbing": True})
    em = stack_emission(st, [628.0])
    ff = far_field(st, 628.0, angle_deg=np.arange(0.0, 90.0, 0.25))
    total = em.power["h"]["outcoupled"] * 2 / 3 + em.power["v"]["outcoupled"] / 3
    assert ff.outcoupled()[0] == pytest.approx(total[0], rel=2e-3)
    lossless = far_field(default_stack(), 628.0, angle_deg=np.arange(0.0, 90.0, 0.25))
    assert ff.outcoupled()[0] < lossless.outcoupled()[0]


def test_closed_form_zone_average_equals_plane_by_plane():
    # Reference: the plane-by-plane flux split of dipole_fields (itself checked against the volume integral
    # above). The closed-form emission-zone average used by the channels (zone_split_absorbing) expands the
    # same expressions in exponentials of z: equal to round-off (1e-12 of the largest K), on both sides of
    # the emitter's light line (u up to 1.3) and for a uniaxial absorbing emitter.
    from qdled.optics.dipole import zone_split_absorbing

    geom = _geometry()
    pos = (np.arange(11) + 0.5) / 11 * 40.0
    w = np.full(11, 1 / 11)
    u = np.linspace(0.01, 1.3, 17)[None, :]
    planes = dipole_fields(geom, u, pos)
    zone = zone_split_absorbing(geom, u, pos, w)
    for name, _, _ in COMPONENTS:
        k = planes.f[name].real
        scale = np.max(np.abs(k))
        avg = lambda x: np.einsum("p,wpu->wu", w, x)  # noqa: E731
        np.testing.assert_allclose(zone.f[name], avg(k), rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(zone.up[name], avg(k * planes.up[name]), rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(zone.down[name], avg(k * planes.down[name]), rtol=0, atol=1e-12 * scale)
