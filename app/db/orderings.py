"""Every order a list can be read in (API.md `TaskOrder`, `ProjectOrder`): the one table.

Each order is its keys then the row id as tie-breaker, all in one direction;
`Ordering.name` goes into cursors, so a cursor of another list or order is refused.
"""

from sqlalchemy.orm import aliased

from app.db.models import members, projects, tags, tasks
from app.db.pagination import Ordering, SortKey, id_key

# The membership rows listed by `Project.members` (aliased: `visible()` joins the viewer's own).
roster = aliased(members, name="roster")

# list -> field -> its order key (before the id).
ORDER_KEYS: dict[str, dict[str, SortKey]] = {
    "Task": {
        "CREATED_AT": SortKey(tasks.c.created_at, "datetime"),
        "UPDATED_AT": SortKey(tasks.c.updated_at, "datetime"),
        "DUE_DATE": SortKey(tasks.c.due_date, "date", nullable=True),
        "PRIORITY": SortKey(tasks.c.priority, "int", bounds=(1, 4)),
        "TITLE": SortKey(tasks.c.title_sort, "bytes"),
    },
    "Project": {
        "CREATED_AT": SortKey(projects.c.created_at, "datetime"),
        "UPDATED_AT": SortKey(projects.c.updated_at, "datetime"),
        "NAME": SortKey(projects.c.name_sort, "bytes"),
    },
    "Tag": {"NAME": SortKey(tags.c.name_sort, "bytes")},
    "ProjectMember": {"ADDED_AT": SortKey(roster.c.added_at, "datetime")},
}
ID_KEYS = {
    "Task": id_key(tasks.c.id),
    "Project": id_key(projects.c.id),
    "Tag": id_key(tags.c.id),
    "ProjectMember": id_key(roster.c.user_id),
}


def ordering(kind: str, field: str, direction: str) -> Ordering:
    """The order of list `kind` ("Task", "Project", "Tag", "ProjectMember") by `field` (a
    name in `ORDER_KEYS[kind]`) then id, both `direction` ("ASC" or "DESC")."""
    return Ordering(
        name=f"{kind}:{field}:{direction}",
        keys=(ORDER_KEYS[kind][field], ID_KEYS[kind]),
        descending=direction == "DESC",
    )


NEWEST_TASKS = ordering("Task", "CREATED_AT", "DESC")
NEWEST_PROJECTS = ordering("Project", "CREATED_AT", "DESC")
TAGS_BY_NAME = ordering("Tag", "NAME", "ASC")
MEMBERS_BY_JOINING = ordering("ProjectMember", "ADDED_AT", "ASC")
