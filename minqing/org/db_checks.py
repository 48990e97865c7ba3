"""Start-up checks on the database connection.

PostgreSQL must use a UTF-8 ctype: with a C/SQL_ASCII ctype, pg_trgm and lower() treat
Chinese as opaque bytes and search silently finds nothing. We refuse to run instead.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from django.dispatch import receiver


def ctype_problem(encoding: str, ctype: str) -> str | None:
    if encoding.upper().replace("-", "") != "UTF8":
        return f"数据库编码为 {encoding}，必须为 UTF8 (database encoding must be UTF8)."
    if "utf" not in ctype.lower().replace("-", ""):
        return (
            f"数据库 LC_CTYPE 为 {ctype}，必须是 UTF-8 (如 C.UTF-8)，否则中文检索会失效。"
            f" Database LC_CTYPE is {ctype!r}; create it with "
            "`CREATE DATABASE … ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
            "TEMPLATE template0`."
        )
    return None


@receiver(connection_created)
def _check_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database "
            "WHERE datname = current_database()"
        )
        encoding, ctype = cursor.fetchone()
    problem = ctype_problem(encoding, ctype)
    if problem:
        raise ImproperlyConfigured(problem)
