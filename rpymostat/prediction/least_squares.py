"""Least squares that forgets slowly, kept as sufficient statistics.

The model is refitted from a handful of sums rather than from stored rows,
so it costs the same after a day or after a year, updates with every new
row, and saves as a few dozen numbers. Old rows fade with a half-life, so
the fit follows the seasons and a changed house. A weak prior pulls each
coefficient towards a physically plausible value while data is scarce,
which keeps the solution defined before the house has shown everything it
does (e.g. no cooling yet).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ForgettingLeastSquares:
    """Weighted sums of ``x xᵀ``, ``x y`` and ``y²`` over rows, each older row weighing ``forget`` less."""

    size: int
    forget: float
    xtx: list[list[float]] = field(default_factory=list)
    xty: list[float] = field(default_factory=list)
    yty: float = 0.0
    weight: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.forget <= 1:
            raise ValueError("forget must be in (0, 1]")
        if not self.xtx:
            self.xtx = [[0.0] * self.size for _ in range(self.size)]
        if not self.xty:
            self.xty = [0.0] * self.size

    def add(self, x: Sequence[float], y: float, fade: float | None = None) -> None:
        """Fade what is known (by ``forget``, or by ``fade`` when given) and add one row."""
        if len(x) != self.size or not all(math.isfinite(v) for v in x) or not math.isfinite(y):
            raise ValueError("a row needs finite numbers of the model's size")
        f = self.forget if fade is None else fade
        for i in range(self.size):
            row = self.xtx[i]
            xi = x[i]
            for j in range(self.size):
                row[j] = row[j] * f + xi * x[j]
            self.xty[i] = self.xty[i] * f + xi * y
        self.yty = self.yty * f + y * y
        self.weight = self.weight * f + 1.0

    def solve(self, prior: Sequence[float], strength: Sequence[float]) -> list[float]:
        """Coefficients minimising the squared error plus ``strength_i (θ_i − prior_i)²``."""
        a = [[self.xtx[i][j] + (strength[i] if i == j else 0.0) for j in range(self.size)] for i in range(self.size)]
        b = [self.xty[i] + strength[i] * prior[i] for i in range(self.size)]
        return _gauss_solve(a, b)

    def mean_square_error(self, theta: Sequence[float]) -> float | None:
        """The weighted mean squared error of ``theta`` over the rows, ``None`` without rows."""
        if self.weight <= 0:
            return None
        n = self.size
        quad = sum(theta[i] * self.xtx[i][j] * theta[j] for i in range(n) for j in range(n))
        cross = sum(theta[i] * self.xty[i] for i in range(n))
        return max(0.0, (self.yty - 2 * cross + quad) / self.weight)

    def to_json(self) -> dict[str, Any]:
        return {"xtx": self.xtx, "xty": self.xty, "yty": self.yty, "weight": self.weight}

    @classmethod
    def from_json(cls, data: dict[str, Any], size: int, forget: float) -> ForgettingLeastSquares:
        xtx = [[float(v) for v in row] for row in data["xtx"]]
        xty = [float(v) for v in data["xty"]]
        if len(xtx) != size or any(len(row) != size for row in xtx) or len(xty) != size:
            raise ValueError("saved sums do not match the model's size")
        return cls(size, forget, xtx, xty, float(data["yty"]), float(data["weight"]))


def _gauss_solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve ``a θ = b`` by Gaussian elimination with partial pivoting (the matrix is small and positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-300:
            raise ZeroDivisionError("singular system")
        m[col], m[pivot] = m[pivot], m[col]
        p = m[col][col]
        for r in range(col + 1, n):
            factor = m[r][col] / p
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    theta = [0.0] * n
    for r in range(n - 1, -1, -1):
        theta[r] = (m[r][n] - sum(m[r][c] * theta[c] for c in range(r + 1, n))) / m[r][r]
    return theta
