"""Importers: bring outside data (generator Parquet, CSV/XLSX exports) into the app database."""
