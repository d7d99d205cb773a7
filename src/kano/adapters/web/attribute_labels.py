"""Labels of the customer attributes whose values Kano knows: the demo company's regions
and industries (``kano.demo.company``), so a page writes "North" / "Север" / "Észak"
where the data hold ``north``. A value Kano does not know is shown as it is stored.
"""

from __future__ import annotations

from kano.adapters.web.routes.navigation import N_

REGION_LABELS: dict[str, str] = {
    "north": N_("North"),
    "south": N_("South"),
    "east": N_("East"),
    "west": N_("West"),
    "central": N_("Central"),
}
INDUSTRY_LABELS: dict[str, str] = {
    "construction": N_("Construction"),
    "manufacturing": N_("Manufacturing"),
    "automotive": N_("Automotive"),
    "energy": N_("Energy"),
    "food_processing": N_("Food processing"),
    "agriculture": N_("Agriculture"),
    "logistics": N_("Logistics"),
    "public_sector": N_("Public sector"),
}
