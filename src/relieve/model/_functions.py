"""Scalar functions of one variable, evaluated on whole arrays at once.

These are the functions OpenSim uses to drive joint axes, coordinate couplers and
moving path points. Each is immutable and maps an array of inputs to an array of
outputs of the same shape, so a batch of postures is evaluated without a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# OpenSim's SimmSpline floors each knot interval at this width.
_TINY_NUMBER = 1.0e-7


class Function:
    """A function of one real variable, applied element-wise."""

    def __call__(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def derivative(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def is_constant(self) -> bool:
        return False


@dataclass(frozen=True)
class Constant(Function):
    value: float

    def __call__(self, x):
        return np.full(np.shape(x), self.value, dtype=float)

    def derivative(self, x):
        return np.zeros(np.shape(x), dtype=float)

    @property
    def is_constant(self) -> bool:
        return True


@dataclass(frozen=True)
class Linear(Function):
    """``slope * x + intercept`` (OpenSim's LinearFunction, coefficients in that order)."""

    slope: float
    intercept: float = 0.0

    def __call__(self, x):
        return self.slope * np.asarray(x, dtype=float) + self.intercept

    def derivative(self, x):
        return np.full(np.shape(x), self.slope, dtype=float)


@dataclass(frozen=True)
class Multiplier(Function):
    """``scale * inner(x)`` (OpenSim's MultiplierFunction)."""

    inner: Function
    scale: float

    def __call__(self, x):
        return self.scale * self.inner(x)

    def derivative(self, x):
        return self.scale * self.inner.derivative(x)

    @property
    def is_constant(self) -> bool:
        return self.inner.is_constant


@dataclass(frozen=True)
class Spline(Function):
    """The cubic spline OpenSim calls ``SimmSpline``.

    Coefficients follow the Forsythe, Malcolm & Moler construction (Computer
    Methods for Mathematical Computations, 1977): third derivatives at the ends
    matched to divided differences when there are four or more knots, natural
    ends for three, a straight line for two. Outside the knots the spline is
    extended by the straight line of its end slope. Reproducing this exactly is
    what lets lengths agree with OpenSim to rounding error.
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    _b: np.ndarray = field(init=False, repr=False, compare=False)
    _c: np.ndarray = field(init=False, repr=False, compare=False)
    _d: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        x = np.asarray(self.x, dtype=float)
        y = np.asarray(self.y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
            raise ValueError("a spline needs at least two (x, y) knots of equal count")
        if np.any(np.diff(x) <= 0):
            raise ValueError("spline knots must be strictly increasing in x")
        b, c, d = _fmm_coefficients(x, y)
        for name, arr in (("_b", b), ("_c", c), ("_d", d)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def _is_line(self) -> bool:
        return len(self.x) == 2

    def _locate(self, x):
        xs = np.asarray(self.x)
        k = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
        return k

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        if self._is_line:  # two knots: one straight line inside and outside
            return self.y[0] + (x - self.x[0]) * float(self._b[0])
        xs = np.asarray(self.x)
        ys = np.asarray(self.y)
        k = self._locate(x)
        dx = x - xs[k]
        inside = ys[k] + dx * (self._b[k] + dx * (self._c[k] + dx * self._d[k]))
        below = ys[0] + (x - xs[0]) * self._b[0]
        above = ys[-1] + (x - xs[-1]) * self._b[-1]
        return np.where(x < xs[0], below, np.where(x > xs[-1], above, inside))

    def derivative(self, x):
        x = np.asarray(x, dtype=float)
        xs = np.asarray(self.x)
        k = self._locate(x)
        dx = x - xs[k]
        inside = self._b[k] + dx * (2.0 * self._c[k] + 3.0 * dx * self._d[k])
        return np.where(x < xs[0], self._b[0], np.where(x > xs[-1], self._b[-1], inside))


def _fmm_coefficients(x: np.ndarray, y: np.ndarray):
    """Polynomial coefficients b, c, d of each interval: y + b dx + c dx^2 + d dx^3."""
    n = len(x)
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n == 2:
        slope = (y[1] - y[0]) / max(_TINY_NUMBER, x[1] - x[0])
        b[:] = slope
        return b, c, d
    h = np.maximum(_TINY_NUMBER, np.diff(x))  # interval widths
    d[:-1] = h
    slopes = np.diff(y) / h
    # Tridiagonal system: diagonal b, off-diagonal d, right-hand side c.
    b[1:-1] = 2.0 * (h[:-1] + h[1:])
    c[1:-1] = slopes[1:] - slopes[:-1]
    b[0] = -h[0]
    b[-1] = -h[-1]
    c[0] = 0.0
    c[-1] = 0.0
    if n > 3:
        d31 = max(_TINY_NUMBER, x[3] - x[1])
        d20 = max(_TINY_NUMBER, x[2] - x[0])
        d1 = max(_TINY_NUMBER, x[-1] - x[-3])
        d2 = max(_TINY_NUMBER, x[-2] - x[-4])
        d30 = max(_TINY_NUMBER, x[3] - x[0])
        d3 = max(_TINY_NUMBER, x[-1] - x[-4])
        c0 = c[2] / d31 - c[1] / d20
        cn = c[-2] / d1 - c[-3] / d2
        c[0] = c0 * h[0] * h[0] / d30
        c[-1] = -cn * h[-1] * h[-1] / d3
    for i in range(1, n):  # forward elimination (over knots, not postures)
        t = d[i - 1] / b[i - 1]
        b[i] -= t * d[i - 1]
        c[i] -= t * c[i - 1]
    c[-1] /= b[-1]
    for i in range(n - 2, -1, -1):  # back substitution
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    bb = np.empty(n)
    dd = np.empty(n)
    bb[-1] = slopes[-1] + h[-1] * (c[-2] + 2.0 * c[-1])
    bb[:-1] = slopes - h * (c[1:] + 2.0 * c[:-1])
    dd[:-1] = (c[1:] - c[:-1]) / h
    dd[-1] = dd[-2]
    return bb, 3.0 * c, dd
