"""Read side: reporting queries that aggregate in the database and return plain dataclasses.

Views never write and never return ORM objects, so pages and the API can show them without
a unit of work (the cosmicpython ``views.py`` idea). Every query takes the workspace id
first: there is no way to ask for figures across tenants.
"""
