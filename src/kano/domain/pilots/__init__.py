"""Pilots and experiments (SPEC 2.10): a pilot group, a control group, KPIs, periods."""
