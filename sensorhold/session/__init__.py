"""A running session: latest status and history, shared by headless output and the UI."""
