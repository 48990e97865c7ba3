"""A county's contact-household and card rules, with the documented defaults."""

from minqing.households.models import ContactRules
from minqing.org.models import Node


def contact_rules_for(county: Node) -> ContactRules:
    """The county's saved rules, or an unsaved instance carrying the documented defaults."""
    try:
        return county.contact_rules
    except ContactRules.DoesNotExist:
        return ContactRules(county=county)
