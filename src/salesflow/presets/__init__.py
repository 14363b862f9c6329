"""Ready-made processes that reproduce well-known systems' defaults.

Seller processes, lead processes (Salesforce's lead statuses, HubSpot's
lifecycle stages), buyer processes (Liferay's buying phases, Gartner's buying
jobs) and mappings between them. Every call returns a new, independent object.

>>> import salesflow as sf
>>> [s.name for s in sf.presets.odoo_classic().stages]
['New', 'Qualified', 'Proposition', 'Won']
"""

from __future__ import annotations

from salesflow.presets._buyer import BUYER_PRESETS, gartner_buying_jobs, liferay_buying_phases
from salesflow.presets._fit import liferay_fit
from salesflow.presets._leads import (
    HUBSPOT_LIFECYCLE_STAGES,
    LEAD_PRESETS,
    hubspot_lifecycle,
    salesforce_leads,
)
from salesflow.presets._liferay import liferay_enterprise
from salesflow.presets._mappings import (
    MAPPING_PRESETS,
    hubspot_liferay_mapping,
    liferay_mapping,
    salesforce_liferay_mapping,
    trailhead_liferay_mapping,
)
from salesflow.presets._maven import maven, maven_stage_dates
from salesflow.presets._recurring import RECURRING_PRESETS, new_logo_pipeline, renewal_pipeline
from salesflow.presets._seller import (
    SELLER_PRESETS,
    hubspot_default,
    odoo_classic,
    salesforce_standard,
    trailhead_simple,
)

__all__ = [
    "BUYER_PRESETS",
    "HUBSPOT_LIFECYCLE_STAGES",
    "LEAD_PRESETS",
    "MAPPING_PRESETS",
    "RECURRING_PRESETS",
    "SELLER_PRESETS",
    "gartner_buying_jobs",
    "hubspot_default",
    "hubspot_liferay_mapping",
    "hubspot_lifecycle",
    "liferay_buying_phases",
    "liferay_enterprise",
    "liferay_fit",
    "liferay_mapping",
    "maven",
    "maven_stage_dates",
    "new_logo_pipeline",
    "odoo_classic",
    "salesforce_leads",
    "renewal_pipeline",
    "salesforce_liferay_mapping",
    "salesforce_standard",
    "trailhead_liferay_mapping",
    "trailhead_simple",
]
