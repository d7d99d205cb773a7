"""Value objects shared by every bounded context."""
