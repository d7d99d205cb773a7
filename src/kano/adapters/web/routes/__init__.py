"""Web routes, one module per concept; ``navigation.py`` lists the pages."""
