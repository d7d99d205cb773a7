"""Feedback (the CX, "say" layer): what a response may contain and what it triggers."""
