"""Which scenarios an engine models: the walk both fast engines use to decline.

Each fast engine states, per parameter class, the fields it models. A field
outside that set (added by a later feature) must keep its default, or the engine
declines and the dispatcher runs the SimPy model of record: unknown means decline.
"""

from __future__ import annotations

from pydantic import BaseModel

from simkit.model.distributions import Deterministic, Exponential, Gamma, LogNormal, Uniform

__all__ = ["DISTRIBUTIONS", "first_unknown"]

DISTRIBUTIONS = (Deterministic, Exponential, Gamma, LogNormal, Uniform)


def first_unknown(obj: BaseModel, known: dict[type, set[str]], path: str = "scenario",
                  dists: tuple[type, ...] = DISTRIBUTIONS) -> str | None:
    """The first field under ``obj`` an engine does not model (``known``: class -> field
    names it models; ``dists``: the distribution classes it samples), or None."""
    cls = type(obj)
    if isinstance(obj, dists):
        return None
    fields = known.get(cls)
    if fields is None:
        return f"{path} ({cls.__name__})"
    for name, field in cls.model_fields.items():
        value = getattr(obj, name)
        if name not in fields:
            if value != field.get_default(call_default_factory=True):
                return f"{path}.{name}"
            continue
        items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for i, v in items:
            if isinstance(v, BaseModel):
                sub = f"{path}.{name}" if i is None else f"{path}.{name}[{i}]"
                reason = first_unknown(v, known, sub, dists)
                if reason:
                    return reason
    return None
