"""Kano: the customer at the centre of strategy."""

__version__ = "0.1.0"
