"""Schema fuzzing (issue 7, deliverable 9): generated documents against the real app."""
