from tests.graph.conftest import World


async def test_roles_see_the_shared_project(world: World) -> None:
    query = "query($id: ID!) { project(id: $id) { viewerRole members { totalCount } } }"
    for actor, role in ((world.owner, "OWNER"), (world.member, "MEMBER"), (world.viewer, "VIEWER")):
        body = await actor.execute(query, {"id": world.project})
        assert body["data"]["project"] == {"viewerRole": role, "members": {"totalCount": 3}}
    assert (await world.stranger.execute(query, {"id": world.project}))["data"] == {"project": None}
