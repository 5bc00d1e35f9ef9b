"""Pelvis lift: is the person up on hands and knees rather than lying?

Hands and knees keeps the trunk horizontal, so its inclination sits in the stage-1 band; what
tells it apart is height: the hips are 0.3-0.5 m above the floor. ``hip_height`` judges each
movement's net rise where the person settles again: ``lift_m`` up in a stage band means the
pelvis lifted, ``lift_m`` down that the person lay down. Being upright also counts as raised,
lying on one side as lowered. A raised flag is released by being still in a band ``release_s``
after the last rise or upright sample (a person does not pause on hands and knees for long), so
a missed fall (coming down from standing in one go, where the turn forbids judging it) cannot
block holds for long; the hold timer dates such a hold back to where it settled. That release is
a guess: if a lowering is judged after it, before the trunk left the stage-1 band (the only band
hands and knees reads as), the person was still on hands and knees, and it is reported
(``fell``) so the hold timer restarts the hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhold.signal.lowpass import hold_last, latch


@dataclass(frozen=True, slots=True)
class LiftParams:
    upright_deg: float = 45.0
    side_roll_deg: float = 60.0
    release_s: float = 4.0


@dataclass(slots=True)
class LiftState:
    """The last rise or upright sample; the flag; whether it was last released by the timeout
    (not by a lowering), the trunk in the stage-1 band since."""

    raised_t: float = np.nan
    raised: bool = False
    doubt: bool = False


def step(
    params: LiftParams, state: LiftState, t: np.ndarray, lowered: np.ndarray, lifted: np.ndarray,
    still: np.ndarray, band: np.ndarray, angle_deg: np.ndarray, roll_deg: np.ndarray,
) -> tuple[LiftState, np.ndarray, np.ndarray]:
    """Raised flag per sample for a chunk (``lowered``/``lifted``: ``hip_height``'s judged
    moves), and ``fell``: a lowering judged after a timed-out release (module docstring)."""
    n = t.size
    if n == 0:
        return state, np.zeros(0, bool), np.zeros(0, bool)
    up_lift = lifted & (band > 0)
    upright = angle_deg > params.upright_deg
    side = np.abs(roll_deg) > params.side_roll_deg
    raise_t = hold_last(t, up_lift | upright, state.raised_t)
    settled = still & (band > 0) & ~(t - raise_t < params.release_s)
    raised = latch(up_lift | upright, lowered | side | settled, state.raised)
    was = np.concatenate(([state.raised], raised[:-1]))
    doubt = latch(was & settled & ~lowered & ~side, lowered | raised | (band != 1), state.doubt)
    fell = lowered & np.concatenate(([state.doubt], doubt[:-1]))
    state.raised_t = float(raise_t[-1])
    state.raised, state.doubt = bool(raised[-1]), bool(doubt[-1])
    return state, raised, fell
