"""The effect registry: every effect a flow can return has a handler; an unknown one fails
loudly; several domains may act on one effect, in the order they registered."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import pytest

import flows
from bot.runtime.effects import EffectRegistry, UnknownEffect
from bot.services import build_effects
from flows.types import Activate, Effect


def _effect_types() -> set[type[Effect]]:
    for module in pkgutil.walk_packages(flows.__path__, "flows."):
        importlib.import_module(module.name)
    found, todo = set(), [Effect]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("flows."):
                found.add(sub)
            todo.append(sub)
    return found


def test_every_effect_a_flow_can_return_has_a_handler():
    effects = build_effects()
    kinds = _effect_types()
    assert len(kinds) >= 14
    missing = sorted(k.__name__ for k in kinds if not effects.handles(k))
    assert missing == []


def test_an_effect_nobody_handles_fails_loudly():
    @dataclass(frozen=True)
    class Unheard(Effect):
        pass

    with pytest.raises(UnknownEffect, match="Unheard"):
        build_effects().apply(object(), Unheard())


def test_only_effect_types_can_be_registered():
    with pytest.raises(TypeError):
        EffectRegistry().add(dict, lambda ctx, effect: None)


def test_several_handlers_run_in_the_order_they_registered():
    seen = []
    effects = EffectRegistry()
    effects.add(Activate, lambda ctx, effect: seen.append("status"))
    effects.add(Activate, lambda ctx, effect: seen.append("plan"))
    effects.apply(object(), Activate())
    assert seen == ["status", "plan"]
