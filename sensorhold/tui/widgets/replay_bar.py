"""The replay bar: play state, elapsed / total time, a progress bar and the speed (replay only)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from sensorhold import texts
from sensorhold.runner.replay_control import ReplayControl
from sensorhold.tui.coaching import clock

DONE_STYLE = "bold green"
LEFT_STYLE = "grey42"


def replay_line(control: ReplayControl, width: int) -> Text:
    """One line of ``width`` cells: the state on the left, the speed on the right, the bar
    between them."""
    elapsed, total = clock(control.playhead()), clock(control.duration_s)
    if control.seeking_to is not None:
        label = texts.REPLAY_SEEKING.format(
            elapsed=elapsed, total=total, target=clock(control.seeking_to)
        )
    elif control.paused:
        label = texts.REPLAY_PAUSED.format(elapsed=elapsed, total=total)
    else:
        label = texts.REPLAY_PLAYING.format(elapsed=elapsed, total=total)
    speed = texts.REPLAY_SPEED.format(speed=control.speed)
    bar_width = max(0, width - len(label) - len(speed) - 6)
    fraction = control.playhead() / control.duration_s if control.duration_s > 0 else 0.0
    done = round(min(1.0, max(0.0, fraction)) * bar_width)
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f" {label}  ", "bold" if control.paused else "")
    out.append("━" * done, DONE_STYLE)
    out.append("━" * (bar_width - done), LEFT_STYLE)
    out.append(f"  {speed} ", "bold")
    return out


class ReplayBar(Widget):
    """Under the status line of the replay screen; redrawn on every pulled frame."""

    def __init__(self, control: ReplayControl, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.control = control

    def render(self) -> Text:
        return replay_line(self.control, self.size.width)
