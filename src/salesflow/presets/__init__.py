"""Ready-made processes that reproduce well-known systems' defaults.

Every call returns a new, independent object.

>>> import salesflow as sf
>>> [s.name for s in sf.presets.odoo_classic().stages]
['New', 'Qualified', 'Proposition', 'Won']
"""

from __future__ import annotations

from salesflow.presets._seller import (
    SELLER_PRESETS,
    hubspot_default,
    odoo_classic,
    salesforce_standard,
    trailhead_simple,
)

__all__ = [
    "SELLER_PRESETS",
    "hubspot_default",
    "odoo_classic",
    "salesforce_standard",
    "trailhead_simple",
]
