"""The guided calibration's step logic, free of Textual and Bluetooth: find a still pose, accept
or reject it, redo a step, then fit the profile from what was recorded.

Samples go through the signal layer's orientation and stillness with the parameters
``fit_profile`` uses (and the same rest-corrected up-vector), so a pose the flow accepts is a
still plateau the fit finds too. A step is
accepted after a still run of ``hold_s``. A run that breaks after ``moved_min_s`` is a rejected
pose ("moved": the count starts again); a still pose within ``same_deg`` of the previous accepted
one is refused ("same"). The fit sees the recording from the start to the last acceptance; a redo
cuts the recording back to the acceptance before the redone step, so an abandoned attempt never
becomes one of the fit's plateaus.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from sensorhold.calibration import profile as profiles
from sensorhold.calibration.fit import FitParams, angle_deg, fit_profile
from sensorhold.calibration.profile import Profile
from sensorhold.errors import ProfileError
from sensorhold.signal import orientation, stillness

Phase = Literal["waiting", "holding", "same", "complete"]
EventKind = Literal["accepted", "moved", "same", "redo"]


@dataclass(frozen=True, slots=True)
class FlowParams:
    """``same_deg`` stays below the fit's ``merge_deg``, so a refused repeat of a pose merges into
    that pose's plateau instead of becoming a plateau of its own."""

    hold_s: float = 5.0
    same_deg: float = 3.0
    settle_s: float = 1.0
    moved_min_s: float = 0.5
    moved_notice_s: float = 3.0
    fit: FitParams = field(default_factory=FitParams)

    def fit_params(self) -> FitParams:
        """The fit's shortest plateau, kept below the flow's hold so an accepted pose counts."""
        return replace(self.fit, min_plateau_s=min(self.fit.min_plateau_s, 0.8 * self.hold_s))


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """Something the person should be told: a pose accepted or rejected, a step redone."""

    kind: EventKind
    stage: int
    t: float


@dataclass(frozen=True, slots=True)
class FlowView:
    """What the calibration screen shows. ``stage`` is None once every pose is accepted;
    ``change_deg`` is the current pose's distance from the accepted lying-flat pose."""

    stage: int | None
    phase: Phase
    held_s: float
    hold_s: float
    accepted: tuple[int, ...]
    moved: bool
    change_deg: float | None
    t: float


@dataclass(frozen=True, slots=True)
class _Accepted:
    stage: int
    up: np.ndarray
    end: int
    """Recording index just past the accepting sample."""


class CalibrationFlow:
    """Fed timed samples (seconds, g, deg/s) in chunks; stepped by ``feed``, read by ``view``."""

    def __init__(self, stage3: bool, params: FlowParams | None = None) -> None:
        self.params = params or FlowParams()
        self.stage3 = stage3
        self.stages: tuple[int, ...] = (1, 2, 3) if stage3 else (1, 2)
        self._orient = orientation.OrientationState()
        self._still = stillness.StillnessState()
        self._pending: list[tuple[np.ndarray, ...]] = []
        self._raw: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._seen = 0
        self._kept: list[tuple[int, int]] = []
        self._open_from = 0
        self._accepted: list[_Accepted] = []
        self._events: list[FlowEvent] = []
        self._run_t0: float | None = None
        self._run_sum = np.zeros(3)
        self._same_said = False
        self._held = 0.0
        self._phase: Phase = "waiting"
        self._moved_at = -np.inf
        self._t = 0.0
        self._up: np.ndarray | None = None

    @property
    def complete(self) -> bool:
        return len(self._accepted) == len(self.stages)

    def feed(self, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> None:
        """One chunk of samples, in time order."""
        if t.size == 0:
            return
        self._raw.append((t, acc, gyr))
        p = self.params.fit
        self._orient, o = orientation.step(p.orientation, self._orient, t, acc, gyr)
        self._pending.append((t, acc, o.up, o.rate_dps, o.gyr_dps))
        if self._orient.ts <= 0:  # the orientation layer is still probing the sample rate
            return
        ts_, acc_, up, rate, gyr_ = (
            np.concatenate(x) for x in zip(*self._pending, strict=True)
        )
        self._pending.clear()
        # Stillness judged as the fit and the pipeline judge it (both gravity references).
        self._still, s = stillness.step(
            p.stillness, self._still, self._orient.ts, up, rate, acc_, gyr_
        )
        for i in range(ts_.size):
            self._sample(float(ts_[i]), s.up[i], bool(s.still[i]))
            self._seen += 1

    def _sample(self, t: float, up: np.ndarray, still: bool) -> None:
        self._t, self._up = t, up
        if self.complete:
            return
        p = self.params
        if not still:
            if self._phase == "holding" and self._held >= p.moved_min_s:
                self._moved_at = t
                self._emit("moved", t)
            self._reset_run()
            return
        if self._run_t0 is None:
            self._run_t0, self._run_sum, self._same_said = t, np.zeros(3), False
        self._run_sum = self._run_sum + up
        mean = self._run_sum / np.linalg.norm(self._run_sum)
        run_s = t - self._run_t0
        if self._accepted and angle_deg(mean, self._accepted[-1].up) < p.same_deg:
            self._held = 0.0
            self._phase = "same" if run_s >= p.settle_s else "waiting"
            if self._phase == "same" and not self._same_said:
                self._same_said = True
                self._emit("same", t)
            return
        self._phase, self._held = "holding", run_s
        if run_s >= p.hold_s:
            stage = self.stages[len(self._accepted)]
            self._accepted.append(_Accepted(stage, mean, self._seen + 1))
            self._emit("accepted", t, stage)
            self._reset_run()
            if self.complete:
                self._phase = "complete"
                self._kept.append((self._open_from, self._seen + 1))

    def _reset_run(self) -> None:
        self._run_t0, self._held = None, 0.0
        self._phase = "complete" if self.complete else "waiting"

    def _emit(self, kind: EventKind, t: float, stage: int | None = None) -> None:
        if stage is None:
            stage = self.stages[len(self._accepted)]
        self._events.append(FlowEvent(kind, stage, t))

    def redo(self) -> None:
        """Undo the last accepted pose (or restart the current count) and cut the recording
        back to the acceptance before it."""
        if self.complete:
            self._kept.pop()  # the span closed at the last acceptance
        stage = self._accepted.pop().stage if self._accepted else self.stages[0]
        cut = self._accepted[-1].end if self._accepted else 0
        self._kept = [(a, min(b, cut)) for a, b in self._kept if a < cut]
        if cut > self._open_from:
            self._kept.append((self._open_from, cut))
        self._open_from = self._seen
        self._reset_run()
        self._events.append(FlowEvent("redo", stage, self._t))

    def take_events(self) -> list[FlowEvent]:
        """The events since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    def view(self) -> FlowView:
        first = self._accepted[0].up if self._accepted else None
        change = None if first is None or self._up is None else angle_deg(self._up, first)
        return FlowView(
            stage=None if self.complete else self.stages[len(self._accepted)],
            phase=self._phase,
            held_s=self._held,
            hold_s=self.params.hold_s,
            accepted=tuple(a.stage for a in self._accepted),
            moved=self._t - self._moved_at < self.params.moved_notice_s,
            change_deg=change,
            t=self._t,
        )

    def recording(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The samples the fit uses: from the start to the last acceptance, minus redone
        attempts (t s, acc g, gyr deg/s)."""
        if not self._raw:
            return np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3))
        t, acc, gyr = (np.concatenate(x) for x in zip(*self._raw, strict=True))
        spans = self._kept if self.complete else [*self._kept, (self._open_from, self._seen)]
        idx = np.concatenate([np.arange(a, b) for a, b in spans] or [np.zeros(0, int)])
        return t[idx], acc[idx], gyr[idx]

    def fit(self, *, user: str, sensor_model: str) -> Profile:
        """The profile from the recording (``fit_profile``, as ``calibrate --from`` does);
        UserError saying what to redo."""
        t, acc, gyr = self.recording()
        return fit_profile(
            t, acc, gyr, user=user, sensor_model=sensor_model, stage3=self.stage3,
            params=self.params.fit_params(),
        )


def existing_problem(path: Path) -> str | None:
    """Why the file at ``path`` must not be replaced without asking (broken, foreign, newer),
    or None when there is no file or a valid profile."""
    if not path.exists():
        return None
    try:
        profiles.load(path)
    except ProfileError as exc:
        return str(exc)
    return None
