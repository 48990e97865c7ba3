"""A county's fieldwork quotas, with the documented defaults."""

from minqing.fieldwork.models import FieldworkRules
from minqing.org.models import PATH_WIDTH, Level, Node


def fieldwork_rules_for(node: Node) -> FieldworkRules:
    """The saved rules of the node's county, or an unsaved instance with the defaults."""
    county = Node.objects.get(path=node.path[: PATH_WIDTH[Level.COUNTY]], level=Level.COUNTY)
    try:
        return county.fieldwork_rules
    except FieldworkRules.DoesNotExist:
        return FieldworkRules(county=county)
