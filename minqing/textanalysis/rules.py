"""The county's 民情分析 settings, with the documented defaults when none are saved."""

from minqing.org.models import PATH_WIDTH, Level, Node
from minqing.textanalysis.models import InsightRules


def county_of(node: Node) -> Node:
    if node.level == Level.COUNTY:
        return node
    return Node.objects.get(path=node.path[: PATH_WIDTH[Level.COUNTY]], level=Level.COUNTY)


def insight_rules_for(node: Node) -> InsightRules:
    """The saved rules of the node's county, or an unsaved instance with the defaults."""
    county = county_of(node)
    try:
        return county.insight_rules
    except InsightRules.DoesNotExist:
        return InsightRules(county=county)
