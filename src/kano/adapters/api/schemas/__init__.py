"""Pydantic shapes of the API, one module per bounded context (plus problems and time)."""
