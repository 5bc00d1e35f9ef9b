"""Ready-made scripts: the demo, calibration recordings, and random exercise sessions."""

from __future__ import annotations

import numpy as np

from sensorhold.motion.script import (
    Hold,
    Lean,
    Move,
    Posture,
    Script,
    Segment,
    Wobble,
    get_down,
    get_down_via_side,
    stand_up,
)


def demo_script() -> Script:
    """What `sensorhold demo` plays (about 2 min; the demo source loops it): settle standing, get
    down, stage 1 for 25 s, stage 2 for 25 s with a wobble, stage 3 for 15 s, back to stage 1,
    stand up."""
    return Script("demo", (
        Hold("standing", 8.0),
        *get_down(),
        Hold("prone", 25.0),
        Move(2.5),
        Hold("forearms", 25.0, wobbles=(Wobble(10.0, 3.0),), sag_deg=-1.5),
        Move(3.0),
        Hold("hands", 15.0),
        Move(3.0),
        Hold("prone", 20.0),
        *stand_up(),
        Hold("standing", 10.0),
    ))


def calibration_script(
    stage3: bool, *, lead_in: bool = False, imperfect: bool = False, still_s: float = 9.0
) -> Script:
    """Still plateaus in order: prone lying, on forearms, on hands (``stage3``), ``still_s`` each,
    with smooth moves between; the recording ends on the last plateau.

    ``lead_in`` starts standing and gets down first. ``imperfect`` adds what real calibrations
    have: a wobble on the forearms, a sag on the hands, a short shift while lying.
    """
    wobble = (Wobble(0.35 * still_s, 2.0, 2.0),) if imperfect else ()
    segs: list[Segment] = []
    if lead_in:
        segs += [Hold("standing", 4.0), *get_down()]
    segs += [
        Hold("prone", still_s, leans=(Lean(1.0, 2.0, 2.0),) if imperfect else ()),
        Move(2.5),
        Hold("forearms", still_s, wobbles=wobble),
    ]
    if stage3:
        segs += [Move(3.0), Hold("hands", still_s, sag_deg=-2.0 if imperfect else 0.0)]
    name = "calibration" + ("-stage3" if stage3 else "") + ("-imperfect" if imperfect else "")
    return Script(name, tuple(segs))


def random_exercise_script(rng: np.random.Generator, stage3: bool, hard: bool) -> Script:
    """A plausible session: get down, prone, forearms, hands (``stage3``), prone, stand up.

    ``hard`` adds more of everything that makes holds hard to time: wobbles, side leans, sag,
    a walk during a standing break in the middle, repeated short press-ups, and getting down by
    sitting, lying on one side and rolling onto the front.
    """
    p_wobble, p_lean, p_sag = (0.6, 0.4, 0.6) if hard else (0.2, 0.0, 0.3)

    def move() -> Move:
        return Move(float(rng.uniform(1.5, 4.0)))

    def hold(posture: Posture, lo: float, hi: float) -> Hold:
        d = float(rng.uniform(lo, hi))
        wobbles: tuple[Wobble, ...] = ()
        leans: tuple[Lean, ...] = ()
        if rng.random() < p_wobble and d > 10.0:
            w = float(rng.uniform(2.0, 5.0 if hard else 3.0))
            amp = float(rng.uniform(1.5, 4.0) if hard else rng.uniform(1.0, 2.0))
            wobbles = (Wobble(float(rng.uniform(2.0, d - w - 2.0)), w, amp),)
        if rng.random() < p_lean and d > 12.0:
            ln = float(rng.uniform(3.0, min(10.0, d - 4.0)))
            roll = float(rng.choice([-1, 1]) * rng.uniform(2.0, 6.0))
            leans = (Lean(float(rng.uniform(1.0, d - ln - 1.0)), ln, roll),)
        sag = 0.0
        if posture != "prone" and rng.random() < p_sag:
            sag = -float(rng.uniform(0.5, 3.0) if hard else rng.uniform(0.5, 1.5))
        return Hold(posture, d, wobbles, leans, sag)

    def down() -> tuple[Segment, ...]:
        if hard and rng.random() < 0.4:
            return get_down_via_side(*rng.uniform((2.0, 0.5, 1.5, 1.5), (4.0, 2.0, 3.0, 3.0)))
        return get_down(*rng.uniform((2.0, 0.5, 1.5), (4.0, 2.0, 3.0)))

    def up() -> tuple[Segment, ...]:
        return stand_up(*rng.uniform((1.5, 0.5, 2.0), (3.0, 1.5, 4.0)))

    def exercise_block() -> list[Segment]:
        segs: list[Segment] = [hold("prone", 15.0, 60.0), move(), hold("forearms", 15.0, 60.0)]
        if stage3:
            segs += [move(), hold("hands", 8.0, 30.0)]
            if hard:
                for _ in range(int(rng.integers(1, 3))):
                    segs += [move(), hold("prone", 5.0, 8.0), move(), hold("hands", 6.0, 10.0)]
        return [*segs, move(), hold("prone", 10.0, 40.0)]

    segs: list[Segment] = [Hold("standing", float(rng.uniform(3.0, 10.0))), *down()]
    segs += exercise_block()
    if hard or rng.random() < 0.5:
        walk = Hold("standing", float(rng.uniform(10.0, 40.0)), walking=bool(hard))
        segs += [*up(), walk, *down(), *exercise_block()]
    segs += [*up(), Hold("standing", float(rng.uniform(3.0, 10.0)))]
    return Script("exercise-hard" if hard else "exercise", tuple(segs))
