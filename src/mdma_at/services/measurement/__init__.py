"""Measurement-based care: scored instruments, self-report links, the safety-alert queue."""
