"""Regenerate the devsim reference J-V curves used by tests/test_device_drift_diffusion.py.

devsim (https://devsim.org, PyPI ``devsim``, Apache-2.0) is an independent finite-volume drift-diffusion
code; here it solves single-layer Boltzmann devices that qdled's solver can describe exactly (one material,
constant mobilities, ohmic Dirichlet contacts at the metal work functions, Langevin recombination). The
equations are written below in devsim's model language from the physics (no code taken from qdled).

NOT collected by pytest. Run it in a separate venv (never in the project's .venv)::

    python3 -m venv /tmp/devsim-venv && /tmp/devsim-venv/bin/pip install devsim numpy
    apt-get install -y libopenblas0-pthread          # devsim's BLAS/LAPACK
    DEVSIM_MATH_LIBS=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 \\
        /tmp/devsim-venv/bin/python tests/oracles/devsim_jv.py

Writes tests/fixtures/devsim_hole_only.json and tests/fixtures/devsim_double_injection.json.

Conventions: energies in eV below vacuum (``chi`` = LUMO/conduction-band depth, ``ip`` = HOMO depth), SI units,
electrostatic potential ``psi`` with vacuum level ``-q psi``; contact at x = 0 is the anode (bias V),
``psi = V - W``; densities at a contact ``n = Nc exp((chi - W)/kT)``, ``p = Nv exp((W - ip)/kT)``.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import sys

import devsim as ds
import numpy as np

Q = 1.602176634e-19
KB = 1.380649e-23
EPS0 = 8.8541878128e-12

DEVICES = {
    "hole_only": dict(
        description="single-carrier (hole-only) layer: ohmic hole injection at the anode, 1 eV hole barrier at "
        "the cathode (built-in 1 V); electrons suppressed by a 3 eV gap",
        thickness_m=100e-9,
        eps_r=3.0,
        chi_eV=2.0,
        ip_eV=5.0,
        nc_m3=1e26,
        nv_m3=1e26,
        mu_n_m2_Vs=1e-8,
        mu_p_m2_Vs=1e-8,
        anode_wf_eV=5.0,
        cathode_wf_eV=4.0,
        langevin_factor=1.0,
        temperature_K=300.0,
        voltages_V=[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0],
    ),
    "double_injection": dict(
        description="double-injection layer: ohmic hole injection at the anode and ohmic electron injection "
        "at the cathode (built-in 2 V), Langevin recombination",
        thickness_m=100e-9,
        eps_r=3.0,
        chi_eV=3.0,
        ip_eV=5.0,
        nc_m3=1e26,
        nv_m3=1e26,
        mu_n_m2_Vs=1e-8,
        mu_p_m2_Vs=5e-9,
        anode_wf_eV=5.0,
        cathode_wf_eV=3.0,
        langevin_factor=1.0,
        temperature_K=300.0,
        voltages_V=[0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0],
    ),
}


def _edge(dev, reg, name, expr, variables):
    ds.edge_model(device=dev, region=reg, name=name, equation=expr)
    for v in variables:
        for end in ("n0", "n1"):
            ds.edge_model(device=dev, region=reg, name=f"{name}:{v}@{end}", equation=f"diff({expr}, {v}@{end})")


def _node(dev, reg, name, expr, variables):
    ds.node_model(device=dev, region=reg, name=name, equation=expr)
    for v in variables:
        ds.node_model(device=dev, region=reg, name=f"{name}:{v}", equation=f"diff({expr}, {v})")


def solve_device(d: dict) -> dict:
    dev, reg, mesh = "dev", "layer", "m"
    L = d["thickness_m"]
    vt = KB * d["temperature_K"] / Q
    ds.create_1d_mesh(mesh=mesh)
    for pos, ps in ((0.0, 1e-12), (2e-9, 2e-11), (L / 2, 2e-10), (L - 2e-9, 2e-11), (L, 1e-12)):
        ds.add_1d_mesh_line(mesh=mesh, pos=pos, ps=ps, tag={0.0: "top", L: "bot"}.get(pos, ""))
    ds.add_1d_contact(mesh=mesh, name="anode", tag="top", material="metal")
    ds.add_1d_contact(mesh=mesh, name="cathode", tag="bot", material="metal")
    ds.add_1d_region(mesh=mesh, material="organic", region=reg, tag1="top", tag2="bot")
    ds.finalize_mesh(mesh=mesh)
    ds.create_device(mesh=mesh, device=dev)
    eps = d["eps_r"] * EPS0
    k_lan = d["langevin_factor"] * Q * (d["mu_n_m2_Vs"] + d["mu_p_m2_Vs"]) / eps
    ni2 = d["nc_m3"] * d["nv_m3"] * np.exp(-(d["ip_eV"] - d["chi_eV"]) / vt)
    for name, val in (
        ("V_t", vt),
        ("q", Q),
        ("eps", eps),
        ("mu_n", d["mu_n_m2_Vs"]),
        ("mu_p", d["mu_p_m2_Vs"]),
        ("k_lan", k_lan),
        ("ni2", ni2),
        ("anode_bias", 0.0),
        ("cathode_bias", 0.0),
    ):
        ds.set_parameter(device=dev, name=name, value=val)
    for v in ("Potential", "Electrons", "Holes"):
        ds.node_solution(device=dev, region=reg, name=v)
        ds.edge_from_node_model(device=dev, region=reg, node_model=v)
    x = np.array(ds.get_node_model_values(device=dev, region=reg, name="x"))
    psi0, psiL = -d["anode_wf_eV"], -d["cathode_wf_eV"]
    psi = psi0 + (psiL - psi0) * x / L
    ds.set_node_values(device=dev, region=reg, name="Potential", values=list(psi))
    ds.set_node_values(
        device=dev, region=reg, name="Electrons", values=list(d["nc_m3"] * np.exp((psi + d["chi_eV"]) / vt))
    )
    ds.set_node_values(device=dev, region=reg, name="Holes", values=list(d["nv_m3"] * np.exp(-(psi + d["ip_eV"]) / vt)))
    var = ("Potential", "Electrons", "Holes")
    # Poisson: edge flux eps E, node charge -q (p - n)
    _edge(dev, reg, "DField", "eps*(Potential@n0 - Potential@n1)*EdgeInverseLength", var)
    _node(dev, reg, "PoissonCharge", "-q*(Holes - Electrons)", var)
    ds.equation(
        device=dev,
        region=reg,
        name="PotentialEquation",
        variable_name="Potential",
        node_model="PoissonCharge",
        edge_model="DField",
        variable_update="log_damp",
    )
    # Scharfetter-Gummel currents (conventional current from n0 to n1), u = (psi_1 - psi_0)/V_t
    u = "((Potential@n1 - Potential@n0)/V_t)"
    _edge(dev, reg, "Jn", f"q*mu_n*V_t*EdgeInverseLength*(Electrons@n1*B({u}) - Electrons@n0*B(-{u}))", var)
    _edge(dev, reg, "Jp", f"q*mu_p*V_t*EdgeInverseLength*(Holes@n0*B({u}) - Holes@n1*B(-{u}))", var)
    _node(dev, reg, "Rec", "k_lan*(Electrons*Holes - ni2)", var)
    _node(dev, reg, "GenN", "-q*Rec", var)
    _node(dev, reg, "GenP", "q*Rec", var)
    ds.equation(
        device=dev,
        region=reg,
        name="ElectronContinuityEquation",
        variable_name="Electrons",
        node_model="GenN",
        edge_model="Jn",
        variable_update="positive",
    )
    ds.equation(
        device=dev,
        region=reg,
        name="HoleContinuityEquation",
        variable_name="Holes",
        node_model="GenP",
        edge_model="Jp",
        variable_update="positive",
    )
    for contact, wf in (("anode", d["anode_wf_eV"]), ("cathode", d["cathode_wf_eV"])):
        bias = f"{contact}_bias"
        nc = d["nc_m3"] * np.exp((d["chi_eV"] - wf) / vt)
        pc = d["nv_m3"] * np.exp((wf - d["ip_eV"]) / vt)
        for name, expr, v in (
            (f"{contact}_psi", f"Potential - ({bias} - {wf})", "Potential"),
            (f"{contact}_n", f"Electrons - {float(nc)!r}", "Electrons"),
            (f"{contact}_p", f"Holes - {float(pc)!r}", "Holes"),
        ):
            ds.contact_node_model(device=dev, contact=contact, name=name, equation=expr)
            ds.contact_node_model(device=dev, contact=contact, name=f"{name}:{v}", equation="1")
        ds.contact_equation(
            device=dev,
            contact=contact,
            name="PotentialEquation",
            node_model=f"{contact}_psi",
            edge_charge_model="DField",
        )
        ds.contact_equation(
            device=dev,
            contact=contact,
            name="ElectronContinuityEquation",
            node_model=f"{contact}_n",
            edge_current_model="Jn",
        )
        ds.contact_equation(
            device=dev,
            contact=contact,
            name="HoleContinuityEquation",
            node_model=f"{contact}_p",
            edge_current_model="Jp",
        )
    currents = []
    v_prev = 0.0
    for V in d["voltages_V"]:
        n_sub = max(int(np.ceil(abs(V - v_prev) / 0.1)), 1)
        for v in np.linspace(v_prev, V, n_sub + 1)[1:] if V != v_prev else [V]:
            ds.set_parameter(device=dev, name="anode_bias", value=float(v))
            ds.solve(type="dc", absolute_error=1e15, relative_error=1e-10, maximum_iterations=60)
        v_prev = V
        jn = ds.get_contact_current(device=dev, contact="cathode", equation="ElectronContinuityEquation")
        jp = ds.get_contact_current(device=dev, contact="cathode", equation="HoleContinuityEquation")
        currents.append(float(jn + jp))
    n_nodes = int(x.size)
    ds.delete_device(device=dev)
    ds.delete_mesh(mesh=mesh)
    return {"current_density_A_m2": currents, "n_nodes": n_nodes}


def main(out_dir: pathlib.Path) -> None:
    script = pathlib.Path(__file__).resolve()
    for key, d in DEVICES.items():
        res = solve_device(d)
        cur = np.array(res["current_density_A_m2"])
        # devsim's contact current sign convention: report forward current (anode -> cathode) as positive
        i_fwd = int(np.argmax(np.abs(cur)))
        sign = 1.0 if cur[i_fwd] >= 0 else -1.0
        payload = {
            "provenance": {
                "code": "devsim",
                "devsim_version": getattr(ds, "__version__", None) or _dist_version(),
                "generated_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "script": f"tests/oracles/{script.name}",
                "python": sys.version.split()[0],
                "mesh_nodes": res["n_nodes"],
                "statistics": "Boltzmann",
                "contacts": "ohmic (Dirichlet densities and potential at the metal work function)",
                "sign": "current density positive from anode (x=0) to cathode",
            },
            "device": d,
            "voltage_V": d["voltages_V"],
            "current_density_A_m2": list(sign * cur),
        }
        path = out_dir / f"devsim_{key}.json"
        path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(path, payload["current_density_A_m2"])


def _dist_version():
    from importlib.metadata import version

    return version("devsim")


if __name__ == "__main__":
    main(pathlib.Path(__file__).resolve().parents[1] / "fixtures")
