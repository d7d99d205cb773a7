"""The REST API (``/api/v1``): bearer-token auth, cursor pages, RFC 9457 problems."""
