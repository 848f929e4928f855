"""Covariance structures: positive definite everywhere, exact derivatives, SAS parametrisation."""

from __future__ import annotations

import numpy as np
import pytest

from mdma_at.analysis.mmrm.covariance import STRUCTURES, make_structure

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_every_parameter_vector_gives_a_positive_definite_symmetric_sigma(name: str) -> None:
    structure = make_structure(name, 5)
    for _ in range(20):
        theta = RNG.normal(scale=1.5, size=structure.n_params)
        sigma = structure.sigma(theta).real
        assert np.allclose(sigma, sigma.T)
        assert np.linalg.eigvalsh(sigma).min() > 0


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_complex_step_jacobian_matches_central_differences(name: str) -> None:
    structure = make_structure(name, 4)
    theta = RNG.normal(scale=0.5, size=structure.n_params)
    step = 1e-6
    numeric = np.array(
        [
            (structure.sigma(theta + step * e).real - structure.sigma(theta - step * e).real)
            / (2 * step)
            for e in np.eye(structure.n_params)
        ]
    )
    assert np.allclose(structure.jacobian(theta), numeric, atol=1e-7)


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_second_derivatives_vanish_exactly_for_structures_linear_in_sas_parameters(
    name: str,
) -> None:
    structure = make_structure(name, 4)
    phi = structure.natural(RNG.normal(scale=0.5, size=structure.n_params)).real
    hessian = structure.natural_hessian(phi)
    assert bool(np.abs(hessian).max() == 0.0) == structure.linear
    assert structure.linear == (name in {"us", "cs", "toep", "diag"})


def test_unstructured_natural_parameters_are_the_lower_triangle_of_sigma() -> None:
    structure = make_structure("us", 3)
    sigma = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    theta = structure.theta_from_natural(sigma[np.tril_indices(3)])
    assert np.allclose(structure.sigma(theta).real, sigma)
    assert structure.natural_names()[:3] == ["UN(1,1)", "UN(2,1)", "UN(2,2)"]


def test_ar1_correlation_decays_with_the_lag() -> None:
    sigma = make_structure("ar1", 4).sigma_natural(np.array([2.0, 0.5]))
    assert np.allclose(sigma[0], [2.0, 1.0, 0.5, 0.25])


def test_ante_dependence_multiplies_the_lag_one_correlations() -> None:
    sigma = make_structure("adh", 3).sigma_natural(np.array([1.0, 4.0, 9.0, 0.5, 0.2]))
    assert sigma[0, 2] == pytest.approx(1.0 * 3.0 * 0.5 * 0.2)


def test_compound_symmetry_is_sas_cs_plus_residual() -> None:
    sigma = make_structure("cs", 3).sigma_natural(np.array([2.0, 5.0]))
    assert np.allclose(sigma, 2.0 + 5.0 * np.eye(3))
