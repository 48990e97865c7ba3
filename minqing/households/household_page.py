"""The panels apps above households add to a household's page.

A household's page shows what other apps keep about it: the visits and diary entries that
name it (fieldwork) and the matters it raised (cases). Those apps sit above households in
the layer order (minqing.layers); each registers its panel here from its
AppConfig.ready() (see minqing.kit.panels).
"""

from minqing.kit.panels import PanelSlot

PANELS = PanelSlot("household_panels")
