from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "minqing.households"
    label = "households"
    verbose_name = _("户籍档案")

    def ready(self) -> None:
        from minqing.households.models import Household, Resident
        from minqing.org import population

        # The tree counts households and residents under each place (org.population).
        population.register(population.HOUSEHOLDS, Household, path_field="group__path")
        population.register(population.RESIDENTS, Resident, path_field="household__group__path")
