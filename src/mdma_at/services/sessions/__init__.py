"""Dosing sessions: recording them live, the console's view, the replay timeline."""
