"""Strawberry schema extensions: what every operation runs through before and after execution."""
