"""Checking and shaping the arguments every statistical method takes (the conventions of
:mod:`pipeline.stats`): numbers as 1-D float arrays, errors that name the argument, the element
and the reason, and the index a vector result takes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.lazy import scipy_stats as _st

ArrayLike = float | int | Sequence[float] | np.ndarray | pd.Series


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as a float after checking it lies in [0.9, 1)."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.number)):
        raise ValueError(f"confidence must be a number in [0.9, 1); got {confidence!r}")
    conf = float(confidence)
    if not (0.9 <= conf < 1.0):
        raise ValueError(f"confidence = {confidence!r} is outside the allowed range [0.9, 1)")
    return conf


def z_value(confidence: float = 0.95) -> float:
    """Two-sided normal quantile ``Phi^-1(conf + (1 - conf)/2)``.

    1.95996 at 95%, 3.0902 at 99.8%.
    """
    conf = check_confidence(confidence)
    return float(_st.norm.ppf(conf + (1.0 - conf) / 2.0))


def float_or_nan(values: ArrayLike, name: str) -> np.ndarray:
    """1-D float array that keeps NaN (missing limits are allowed for comparisons)."""
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional; got shape {arr.shape}")
    return np.atleast_1d(arr)


def to_array(values: ArrayLike, name: str) -> np.ndarray:
    """Convert to a 1-D float array, rejecting NaN/inf and more than one dimension."""
    arr = float_or_nan(values, name)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        what = "NaN (missing)" if np.isnan(arr[i]) else "infinite"
        raise ValueError(f"{name}[{i}] is {what}; all values must be finite numbers")
    return arr


def format_number(x: float) -> str:
    return f"{x:g}"


def check_nonnegative(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name}[{i}] = {format_number(arr[i])} is negative; counts must be >= 0")


def check_positive(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{name}[{i}] = {format_number(arr[i])} is zero or negative; denominators must be > 0"
        )


def check_not_above(num: np.ndarray, den: np.ndarray, num_name: str, den_name: str) -> None:
    bad = np.flatnonzero(num > den)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{num_name}[{i}] = {format_number(num[i])} exceeds "
            f"{den_name}[{i}] = {format_number(den[i])}; "
            "a proportion's numerator cannot exceed its denominator"
        )


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast 1-D arrays together, raising ValueError that names the lengths on failure."""
    try:
        return [np.array(a) for a in np.broadcast_arrays(*arrays.values())]
    except ValueError:
        sizes = ", ".join(f"{k} has {v.size}" for k, v in arrays.items())
        raise ValueError(f"input lengths do not broadcast: {sizes} elements") from None


def result_index(length: int, *raw: object) -> pd.Index:
    """Index of the first pandas Series input with the result's length, else a RangeIndex."""
    for r in raw:
        if isinstance(r, pd.Series) and len(r) == length:
            return r.index
    return pd.RangeIndex(length)


def check_multiplier(multiplier: float) -> float:
    m = float(multiplier)
    if not (np.isfinite(m) and m > 0):
        raise ValueError(f"multiplier = {multiplier!r} must be a positive finite number")
    return m
