"""Small distribution objects: they sample from a numpy Generator and state their
exact mean and variance, so tests and "expected vs simulated" views need no
second source of truth.

Every distribution is a frozen pydantic model with a ``kind`` tag, so a
scenario file writes it as an inline table, e.g.
``duration = { kind = "gamma", mean = 1.0, cv = 0.5 }``.

Each draw is ``from_raw(raw(rng, size))``: the engines call the two halves, never
a copy of them. Sampling is written for common random numbers: each draw consumes a fixed
number of standard variates whose values do not depend on the parameters
(standard normals for the lognormal, uniforms for the uniform, standard
exponentials for the exponential), so two scenarios that differ only in a mean
see the same underlying randomness. The gamma is the exception: its shape sets
how many raw numbers numpy's sampler consumes, so changing ``cv`` of a gamma
moves the stream on (changing its ``mean`` does not).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Deterministic",
    "Exponential",
    "Gamma",
    "LogNormal",
    "Uniform",
    "Distribution",
]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @property
    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @property
    def var(self) -> float:  # pragma: no cover
        raise NotImplementedError

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    # Sampling is split in two: ``raw`` draws the standard variates (their number
    # and values do not depend on the mean), ``from_raw`` turns them into values.
    # The SimPy engine and the fast path both call these, so they cannot drift
    # apart, and the fast path can keep raw numbers across a slider move.

    def raw(self, rng: np.random.Generator, size: int | None = None):
        """The standard variates one draw of ``size`` consumes."""
        raise NotImplementedError  # pragma: no cover

    def from_raw(self, z):
        """Values from the standard variates of :meth:`raw`."""
        raise NotImplementedError  # pragma: no cover

    @property
    def raw_key(self) -> tuple:
        """Distributions with equal keys draw the same raw numbers from the same stream."""
        return (self.kind,)

    def sample(self, rng: np.random.Generator, size: int | None = None):
        return self.from_raw(self.raw(rng, size))

    def length_biased_raw(self, rng: np.random.Generator, size: int | None = None):
        """The standard variates of a length-biased draw (see :meth:`sample_residual`)."""
        raise NotImplementedError  # pragma: no cover

    def length_biased_from_raw(self, z):
        raise NotImplementedError  # pragma: no cover

    def sample_length_biased(self, rng: np.random.Generator, size: int | None = None):
        return self.length_biased_from_raw(self.length_biased_raw(rng, size))

    def sample_residual(self, rng: np.random.Generator, size: int | None = None):
        """Remaining time of an item found in progress at a random moment.

        In a steady stream (renewal theory, M/G/inf) an item seen mid-way was
        picked with probability proportional to its length, and its remaining
        time is a uniform share of that length-biased draw. Used to start a
        run from the standard (steady-state) funnel without a warm-up.
        """
        return self.sample_length_biased(rng, size) * rng.random(size)

    def scaled(self, factor: float) -> "_Dist":
        """The same shape with every value multiplied by ``factor`` (> 0)."""
        raise NotImplementedError  # pragma: no cover

    def describe(self) -> str:
        return f"{self.kind}(mean={self.mean:g}, sd={self.std:g})"


class Deterministic(_Dist):
    """Always ``value``. Used for exact-trace tests and the course's tables."""

    kind: Literal["deterministic"] = "deterministic"
    value: float = Field(ge=0, description="the constant value")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def var(self) -> float:
        return 0.0

    def raw(self, rng, size=None):
        return 0.0 if size is None else np.zeros(size)  # draws nothing

    def from_raw(self, z):
        return float(self.value) if np.ndim(z) == 0 else np.full(np.shape(z), float(self.value))

    length_biased_raw = raw
    length_biased_from_raw = from_raw

    def scaled(self, factor):
        return Deterministic(value=self.value * factor)


class Exponential(_Dist):
    """Exponential with the given mean (memoryless; cv = 1)."""

    kind: Literal["exponential"] = "exponential"
    mean_: float = Field(gt=0, alias="mean", description="mean value")

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def var(self) -> float:
        return self.mean_**2

    def raw(self, rng, size=None):
        return rng.standard_exponential(size)

    def from_raw(self, z):
        return z * self.mean_

    def length_biased_raw(self, rng, size=None):
        # Length-biased exponential is Gamma(2, mean).
        return rng.standard_gamma(2.0, size)

    def length_biased_from_raw(self, z):
        return z * self.mean_

    def scaled(self, factor):
        return Exponential(mean=self.mean_ * factor)


#: Smallest and largest coefficient of variation of a gamma: below 1e-6 its shape
#: (1 / cv^2) overflows to infinity and every draw is NaN; use a deterministic value.
GAMMA_CV = (1e-6, 10.0)


class Gamma(_Dist):
    """Gamma given by its mean and coefficient of variation (sd / mean)."""

    kind: Literal["gamma"] = "gamma"
    mean_: float = Field(gt=0, alias="mean", description="mean value")
    cv: float = Field(ge=GAMMA_CV[0], le=GAMMA_CV[1],
                      description="coefficient of variation, sd/mean (1e-06 to 10)")

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              populate_by_name=True)

    @property
    def shape(self) -> float:
        return 1.0 / self.cv**2

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def var(self) -> float:
        return (self.cv * self.mean_) ** 2

    @property
    def raw_key(self) -> tuple:
        return ("gamma", self.shape)  # the shape sets how many raw numbers a draw takes

    def raw(self, rng, size=None):
        return rng.standard_gamma(self.shape, size)

    def from_raw(self, z):
        return z * (self.mean_ / self.shape)

    def length_biased_raw(self, rng, size=None):
        # x f(x) for Gamma(k, theta) is Gamma(k + 1, theta).
        return rng.standard_gamma(self.shape + 1.0, size)

    def length_biased_from_raw(self, z):
        return z * (self.mean_ / self.shape)

    def scaled(self, factor):
        return Gamma(mean=self.mean_ * factor, cv=self.cv)


class LogNormal(_Dist):
    """Lognormal given by its mean and coefficient of variation (heavy right tail)."""

    kind: Literal["lognormal"] = "lognormal"
    mean_: float = Field(gt=0, alias="mean", description="mean value")
    cv: float = Field(gt=0, le=50, description="coefficient of variation, sd/mean")

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              populate_by_name=True)

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        return math.log(self.mean_) - 0.5 * self.sigma**2

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def var(self) -> float:
        return (self.cv * self.mean_) ** 2

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    def raw(self, rng, size=None):
        return rng.standard_normal(size)

    def from_raw(self, z):
        return np.exp(self.mu + self.sigma * z)

    length_biased_raw = raw

    def length_biased_from_raw(self, z):
        # x f(x) for LogNormal(mu, s) is LogNormal(mu + s^2, s).
        return np.exp(self.mu + self.sigma**2 + self.sigma * z)

    def scaled(self, factor):
        return LogNormal(mean=self.mean_ * factor, cv=self.cv)


class Uniform(_Dist):
    """Uniform on [low, high]."""

    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def var(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def raw(self, rng, size=None):
        return rng.random(size)

    def from_raw(self, z):
        return self.low + (self.high - self.low) * z

    length_biased_raw = raw

    def length_biased_from_raw(self, z):
        # density proportional to x on [a, b]: invert the CDF (x^2 - a^2)/(b^2 - a^2).
        a2, b2 = self.low**2, self.high**2
        return np.sqrt(a2 + (b2 - a2) * z)

    def scaled(self, factor):
        return Uniform(low=self.low * factor, high=self.high * factor)


Distribution = Annotated[
    Union[Deterministic, Exponential, Gamma, LogNormal, Uniform],
    Field(discriminator="kind"),
]
