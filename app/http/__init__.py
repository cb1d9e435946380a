"""The HTTP edge below the GraphQL view: negotiation, request parameters, the body limit,
persisted queries, and the uvicorn protocol that bounds slow and oversized requests."""
