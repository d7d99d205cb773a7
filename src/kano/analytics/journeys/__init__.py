"""Journey analytics: which touchpoints hurt customers most, and what that costs."""
