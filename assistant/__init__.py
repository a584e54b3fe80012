"""Retrieval, answering and proposal review: the middle layer of tom-assistant."""
