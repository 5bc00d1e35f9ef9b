"""The status bar: sensor, link state, battery, packet counters and the recording path."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from sensorhold.session.state import Status

LINK_STYLE = {
    "connecting": "yellow",
    "streaming": "green",
    "replay": "green",
    "lost": "bold red",
    "reconnecting": "bold yellow",
    "stopped": "dim",
}


def status_text(status: Status) -> Text:
    """One line: what a person checks when the numbers look wrong."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f" {status.sensor or '—'}  ")
    out.append(f"● {status.link}", LINK_STYLE.get(status.link, ""))
    battery = "—" if status.battery_pct is None else f"{status.battery_pct}%"
    out.append(
        f"  batt {battery}  packets {status.packets}  bad {status.malformed}"
        f"  gaps {status.gaps}  lost {status.lost_samples}"
    )
    out.append(f"  rec {status.recording or 'off'}", "dim")
    return out


class LinkStatus(Static):
    """Docked at the bottom of the live screen."""

    def show(self, status: Status) -> None:
        self.update(status_text(status), layout=False)  # one line, sized by the stylesheet
