"""Customers: accounts (B2B) and persons (B2C) and the rules for changing them."""
