"""Pydantic validation errors turned into :class:`ScenarioError` problems that name
the field the user wrote, the value and what is allowed."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simkit.model.errors import _MISSING, ScenarioError

__all__ = ["validate"]

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, source: str | None = None) -> M:
    """``model.model_validate(data)``, with any problem raised as :class:`ScenarioError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, model), source) from None


def _problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, Any, str]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input", _MISSING)
        if kind == "extra_forbidden":
            allowed = _allowed_fields(model, loc[:-1])
            msg = "unknown field" + (f"; allowed here: {', '.join(allowed)}" if allowed else "")
        elif kind == "missing":
            value = _MISSING
            msg = "required field is missing"
        elif kind == "union_tag_invalid":
            msg = msg.replace("Input tag", "kind")
        if isinstance(value, (dict, list, tuple)) and kind != "extra_forbidden":
            value = _Elided()
        out.append((_loc_str(loc), value, msg))
    return out


class _Elided:
    def __repr__(self) -> str:
        return "(see message)"


def _loc_str(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif p in _DIST_TAGS:
            continue  # pydantic's discriminated-union tag, not a field the user wrote
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(scenario)"


_DIST_TAGS = {"deterministic", "exponential", "gamma", "lognormal", "uniform"}


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at ``loc`` (walks the model's annotations)."""
    tp: Any = model
    for part in loc:
        tp = _strip(tp)
        if isinstance(part, int):
            args = typing.get_args(tp)
            tp = args[0] if args else None
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        elif part in _DIST_TAGS:
            for member in typing.get_args(_strip(tp)):
                m = _strip(member)
                if isinstance(m, type) and m.model_fields["kind"].default == part:
                    tp = m
        else:
            return []
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _strip(tp: Any) -> Any:
    """Unwrap Annotated and Optional."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp
