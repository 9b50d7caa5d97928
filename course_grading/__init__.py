"""Instructor tooling around nbgrader: release, batch autograding, grade export."""
