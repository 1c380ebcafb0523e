"""A one-hidden-layer network (ReLU) over the dense features, fitted in numpy with L-BFGS.

It sits beside the linear head: the linear head reads the sparse n-grams well, the network
finds interactions in the embedding and rule features (who acts x what is said) that a
linear head cannot. Training is full-batch L-BFGS with an L2 penalty and class weights;
the number of iterations is the early stop (chosen on a validation fold by ``train``).
Several seeds are averaged. Only :func:`mlp_proba` runs at analysis time.
"""

from __future__ import annotations

import numpy as np

Params = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def mlp_proba(nets: list[Params], X: np.ndarray) -> np.ndarray:
    """Class probabilities averaged over the networks, (n, classes)."""
    total = None
    for W1, b1, W2, b2 in nets:
        p = _softmax(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2)
        total = p if total is None else total + p
    assert total is not None
    return total / len(nets)


def fit_mlp(
    X: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    hidden: int = 256,
    l2: float = 3e-3,
    iters: int = 120,
    seed: int = 0,
) -> Params:
    """Fit one network (class-balanced cross-entropy + L2) and return its float32 weights."""
    from scipy.optimize import minimize

    n, d = X.shape
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    w = (n / (n_classes * np.maximum(counts, 1)))[y]
    w = (w / w.sum()).astype(np.float32)
    Y = np.eye(n_classes, dtype=np.float32)[y]
    rng = np.random.default_rng(seed)
    shapes = [(d, hidden), (hidden,), (hidden, n_classes), (n_classes,)]
    init = [
        rng.standard_normal(shapes[0]) * np.sqrt(2.0 / d),
        np.zeros(hidden),
        rng.standard_normal(shapes[2]) * np.sqrt(1.0 / hidden),
        np.zeros(n_classes),
    ]
    X32 = np.ascontiguousarray(X, dtype=np.float32)

    def unpack(theta: np.ndarray) -> list[np.ndarray]:
        out, pos = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            out.append(theta[pos : pos + size].reshape(shape).astype(np.float32))
            pos += size
        return out

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W1, b1, W2, b2 = unpack(theta)
        Z = X32 @ W1 + b1
        A = np.maximum(Z, 0.0)
        P = _softmax(A @ W2 + b2)
        nll = -float(np.sum(w * np.log(np.sum(P * Y, axis=1) + 1e-12)))
        G = (P - Y) * w[:, None]
        GA = (G @ W2.T) * (Z > 0)
        grads = (X32.T @ GA + l2 * W1, GA.sum(0), A.T @ G + l2 * W2, G.sum(0))
        penalty = 0.5 * l2 * float(np.sum(W1 * W1) + np.sum(W2 * W2))
        return nll + penalty, np.concatenate([g.ravel() for g in grads]).astype(np.float64)

    theta0 = np.concatenate([p.ravel() for p in init])
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": iters})
    W1, b1, W2, b2 = unpack(res.x)
    return W1, b1, W2, b2
