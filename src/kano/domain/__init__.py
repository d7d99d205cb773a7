"""Pure domain: business rules that import nothing from the adapters."""
