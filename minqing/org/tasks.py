"""Background jobs of the org app, run by the task worker (`db_worker`)."""

from django.tasks import task

from minqing.org import services
from minqing.org.models import Node, User


@task
def refresh_node_statistics(*, root_code: str, actor_id: int | None = None) -> int:
    root = Node.objects.get(code=root_code)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.node_statistics_refresh(actor=actor, root=root)
