from tests.helpers import GraphQLClient


async def test_signup_then_me(api: GraphQLClient) -> None:
    payload = await api.signup(email=" Ann@Example.COM ")
    assert payload["user"]["email"] == "ann@example.com"
    body = await api.execute("{ me { email } }", token=payload["accessToken"])
    assert body == {"data": {"me": {"email": "ann@example.com"}}, "extensions": {"cost": 1}}
