"""Running a session: a stream (BLE or replay) into the processor, shown headless or in the TUI."""
