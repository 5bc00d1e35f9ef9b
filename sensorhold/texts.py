"""Text a person reads, kept in one place."""

NOTICE = (
    "sensorhold is a biofeedback tool, not a diagnostic device. It does not diagnose or treat "
    "any condition. Follow your clinician's advice; stop and seek care if symptoms worsen."
)

# Terminal app: the live coach (sensorhold.tui).
STAGE_NAMES = {1: "lying prone", 2: "on forearms", 3: "on hands"}
COACH_CONNECTING = "Connecting to the sensor…"
# Standing first lets the angle layer learn how the sensor sits on the back (its axis vote).
COACH_START = (
    "Stand a moment, then lie face down on a firm surface, arms by your sides, core engaged: "
    "stage 1."
)
COACH_BETWEEN = "Between positions: settle into the next position, or rest."
COACH_SETTLE = "Settle into stage {stage} ({name}) and keep still."
COACH_HOLD = (
    "Hold stage {stage}: breathe, core engaged. Notice whether leg or back symptoms ease. "
    "{left} to go."
)
COACH_COMPLETE_CONTINUE = (
    "Hold complete. Come down, or continue up to {ceiling} while your symptoms keep easing."
)
COACH_COMPLETE_DOWN = "Hold complete. Come down slowly and rest."
COACH_PAUSED = "Sensor lost: the hold clock is paused at {time}. Stay where you are; reconnecting…"
COACH_ENDED = "Session ended."
COACH_STOP = (
    "Leg symptoms worse twice in a row: stop for today and tell your clinician."
)
COACH_WORSE_DOWN = (
    "Leg symptoms worse: come back down from stage {stage} to stage {lower}. "
    "Stop if they stay worse."
)
COACH_WORSE_REST = "Leg symptoms worse: come down and rest. Stop if they stay worse."
COACH_WOBBLE = "Wobbling: ease back into the position and keep still."
COACH_ALERT_COMPLETE = "Hold complete: stage {stage}, {time}."
COACH_ALERT_DROPPED = "You came out of stage {stage} at {time} (target {target})."
COACH_ALERT_LOST = "Sensor lost: the hold clock is paused until it is back."
COACH_ALERT_BACK = "Sensor back: the hold clock runs again."

# Terminal app: live screen panels.
LIVE_HOLD_TITLE = "Hold"
LIVE_HOLD_PAUSED = "PAUSED: sensor lost"
LIVE_HOLD_NONE = "not in a stage"
LIVE_HOLD_TARGET = "target {target}"
LIVE_HOLD_TARGET_EXT = "target {target}, up to {ceiling} while easing"
LIVE_ANGLE_TITLE = "Extension"
LIVE_STEADY = "● steady"
LIVE_WOBBLING = "≈ wobbling"
LIVE_STAGE_TITLE = "Stage"
LIVE_LOCKED = "(locked)"
LIVE_PLOT_START = "-{seconds:.0f} s"
LIVE_PLOT_END = "now"

# Terminal app: symptom check-in.
CHECKIN_AFTER_HOLD = "Stage {stage} hold done. Compared with before it, are your symptoms…"
CHECKIN_NEW_STAGE = "Now at stage {stage}. Compared with before, are your symptoms…"
CHECKIN_LEG = "Leg symptoms (buttock, thigh, calf, foot):"
CHECKIN_BACK = "Back symptoms:"
CHECKIN_KEYS = "1 better   2 same   3 worse      Esc skip"

# Terminal app: session summary and help.
SUMMARY_TITLE = "Session summary: {duration}, {holds} (shaded on the plot)"
SUMMARY_HOLDS = "Holds"
SUMMARY_HOLD_COLUMNS = ("#", "stage", "start", "held", "steady", "leg", "back")
SUMMARY_PROGRESS = "Progression: best hold per stage"
SUMMARY_PROGRESS_COLUMNS = ("session", "stage 1", "stage 2", "stage 3")
SUMMARY_TODAY = "this session"
HELP_TEXT = """\
Keys
  q        end the session (then q again to leave the summary)
  ?        this help (Esc closes it)
  1 2 3    in a symptom check-in: better, same, worse (leg first, then back); Esc skips
  space    in a replay: pause or resume; - and + slower or faster; left and right arrows
           seek 10 s back or forward

The live screen
  Hold       how long you have held the current stage, and its target
  Extension  your lower-back extension angle in degrees; steady or wobbling
  Stage      1 lying prone, 2 on forearms, 3 on hands (only when prescribed)
  Plot       the last 90 s of angle; your stage angles are the shaded bands
  Bottom     sensor, link, battery, packets, gaps, lost samples, recording file

Progression: stage 1 up to 1 min, up to 3 min while symptoms keep easing; then stage 2;
stage 3 only when your therapist prescribes it. If leg symptoms get worse, come back down a
stage; if they stay worse, stop."""

# Terminal app: guided calibration (sensorhold calibrate).
CAL_TITLE = "Calibration: hold each position still for {hold:.0f} s"
CAL_STEP_NAMES = {1: "Lie flat and still", 2: "Up on your forearms", 3: "Up on your hands"}
CAL_INSTRUCTIONS = {
    1: "Lie face down on a firm surface, arms by your sides, and keep still.",
    2: "Come up onto your forearms, elbows under your shoulders, and keep still.",
    3: "Press up on your hands, as your therapist prescribed, and keep still.",
}
CAL_WAITING = "Waiting for you to settle into the position…"
CAL_HOLDING = "Hold still… {left:.0f} s to go"
CAL_MOVED = "You moved: hold still. The count starts again."
CAL_SAME = "That looks like the previous position; {instruction}"
CAL_SAME_NEXT = {2: "come up onto your forearms.", 3: "press up on your hands."}
CAL_CHANGE = "Up from lying flat: {deg:.1f}°"
CAL_STEP_DONE = "✓"
CAL_STEP_NOW = "▶"
CAL_FITTING = "All positions recorded."
CAL_RESULT = "Your stage angles: {angles}"
CAL_SAVED = "Saved to {path}. Press q to leave."
CAL_NOT_SAVED = "Not saved: {path} was left as it is. Press r to redo, q to leave."
CAL_FAILED = "{error}. Press r to redo the last position, q to leave."
CAL_CONFIRM = "{problem}\n\nReplace it with the new calibration?"
CAL_CONFIRM_KEYS = "y replace   n keep it"
CAL_LINK = "sensor: {link}   packets: {packets}"
CAL_STREAM_STOPPED = "The sensor stream stopped: {error}. Press q to leave."

# Terminal app: the replay bar (sensorhold replay).
REPLAY_PLAYING = "▶ {elapsed} / {total}"
REPLAY_PAUSED = "⏸ {elapsed} / {total}  paused"
REPLAY_SEEKING = "… {elapsed} / {total}  seeking to {target}"
REPLAY_SPEED = "{speed:g}×"


def holds_count(n: int) -> str:
    """The number of holds in words: "1 hold", "2 holds"."""
    return f"{n} hold" if n == 1 else f"{n} holds"
