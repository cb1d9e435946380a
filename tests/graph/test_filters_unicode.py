"""Unicode-aware task search (API.md "Limits", text): `TaskFilter.search` ignores case
in every script (accents, ß, final sigma, ligatures, Roman numerals), on the root task
list and a project's, with keys that follow `createTask` and `updateTask`.
"""

from tests.graph.conftest import World

# ------------------------------------------ Unicode-aware search (API.md "Limits", text)

UNICODE_TASKS = [
    ("ÉCOLE primaire", None),
    ("Straße bauen", "mit dem STRASSENBAUAMT"),
    ("ΣΊΣΥΦΟΣ", "και βράχος"),
    ("Купить яблоко", None),
    ("ﬁle taxes", "Ⅻ forms"),
    ("plain ascii", "nothing special"),
]


SEARCH_CASES = [
    ("école", ["ÉCOLE primaire"]),
    ("ÉCOLE", ["ÉCOLE primaire"]),
    ("E\u0301cole", ["ÉCOLE primaire"]),  # decomposed accent
    ("ecole", []),  # accents are not case: they still count
    ("STRASSE", ["Straße bauen"]),
    ("straße", ["Straße bauen"]),
    ("strassenbau", ["Straße bauen"]),  # description
    ("σίσυφος", ["ΣΊΣΥΦΟΣ"]),  # final sigma
    ("ΒΡΆΧΟΣ", ["ΣΊΣΥΦΟΣ"]),
    ("ЯБЛОКО", ["Купить яблоко"]),
    ("FILE", ["ﬁle taxes"]),  # ligature
    ("xii", ["ﬁle taxes"]),  # Roman numeral twelve, in the description
    ("PLAIN", ["plain ascii"]),
]


async def test_search_ignores_case_in_every_script(world: World) -> None:
    """Created through the API and then renamed through it, so the keys follow both
    `createTask` and `updateTask`; searched on the root list and a project's."""
    ids: dict[str, str] = {}
    for title, description in UNICODE_TASKS:
        body = await world.owner.execute(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            {"i": {"projectId": world.project, "title": "draft", "description": "draft"}},
        )
        task_id = body["data"]["createTask"]["id"]
        body = await world.owner.execute(
            "mutation($id: ID!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { id } }",
            {"id": task_id, "i": {"title": title, "description": description}},
        )
        assert "errors" not in body, body
        ids[title] = task_id
    for search, expected in SEARCH_CASES:
        want = sorted(ids[title] for title in expected)
        body = await world.owner.execute(
            """query($f: TaskFilter, $p: ID!) { tasks(filter: $f) { nodes { id } }
              project(id: $p) { tasks(filter: $f) { nodes { id } } } }""",
            {"f": {"search": search}, "p": world.project},
        )
        assert "errors" not in body, body
        assert sorted(n["id"] for n in body["data"]["tasks"]["nodes"]) == want, search
        assert sorted(n["id"] for n in body["data"]["project"]["tasks"]["nodes"]) == want, search
