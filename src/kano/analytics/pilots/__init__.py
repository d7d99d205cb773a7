"""Pilots with control groups (SPEC 2.10): plan a test, evaluate it by difference in
differences."""
