"""Small helpers shared by the demo generator: named random streams and integer apportioning."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the generator.

    Each part (geography, population, victims of one area...) draws from its own stream keyed
    by the seed and its names, so changing how one part draws never shifts another's numbers.
    """
    keys = [int(seed)] + [zlib.crc32(name.encode("utf-8")) for name in names]
    return np.random.default_rng(keys)


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (largest remainder method).

    The parts are non-negative integers summing to ``total``; ties in the remainders go to the
    earlier position, so the result is deterministic.
    """
    weights = np.asarray(weights, dtype=float)
    if total < 0 or weights.size == 0 or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"cannot apportion {total} over weights {weights!r}")
    quotas = total * weights / weights.sum()
    parts = np.floor(quotas).astype(np.int64)
    short = int(total - parts.sum())
    if short:
        remainders = quotas - parts
        order = np.lexsort((np.arange(weights.size), -remainders))
        parts[order[:short]] += 1
    return parts


def normalise(weights: np.ndarray) -> np.ndarray:
    """Weights scaled to sum to one."""
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def rounded(value: float, digits: int = 6) -> float:
    """A float rounded for truths.json, so tiny floating-point noise never changes the file."""
    return float(round(float(value), digits))
