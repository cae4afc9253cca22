"""Tongban (通办): one-stop online-offline government services platform."""
