"""Read-side analytics: statistics over the warehouse that answer strategy questions."""
