"""Files Kano hands out for people to keep: the strategy map as PNG and PDF, MBO review
sheets as XLSX and PDF. Each export is a function from plain values to bytes, so the web
routes, the CLI and the tests can all produce the same file."""
