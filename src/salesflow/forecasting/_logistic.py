"""A small L2-regularised logistic regression (Newton's method, NumPy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["fit_logistic", "sigmoid"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, stable for large ``|z|``."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    *,
    offset: np.ndarray | None = None,
    penalty: float = 1.0,
    iterations: int = 50,
) -> tuple[float, np.ndarray]:
    """Fit ``P(y=1) = σ(offset + b + x·w)`` by penalised maximum likelihood.

    ``x`` should be standardised; the intercept is not penalised; ``offset``
    (e.g. the stage's log-odds) enters with weight 1.

    Returns:
        The intercept and the weights.

    >>> x = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    >>> b, w = fit_logistic(x, np.array([0.0, 0.0, 1.0, 1.0]), penalty=0.1)
    >>> bool(w[0] > 1), abs(round(b, 6))
    (True, 0.0)
    """
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    ridge = np.full(k + 1, penalty)
    ridge[0] = 0.0
    base = np.zeros(n) if offset is None else offset
    for _ in range(iterations):
        p = sigmoid(base + design @ beta)
        gradient = design.T @ (p - y) + ridge * beta
        weight = p * (1 - p)
        hessian = (design * weight[:, None]).T @ design + np.diag(ridge) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(beta[0]), beta[1:]
