"""Domain enumerations shared by the models and the GraphQL schema.

GraphQL exposes the member names; the database stores the values.
`TaskPriority` values are ranks so that ordering by priority is ordering by value.
"""

from enum import Enum, IntEnum


class TaskStatus(Enum):
    TODO = "TODO"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


class TaskPriority(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    URGENT = 4


class ProjectRole(Enum):
    OWNER = "OWNER"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"
