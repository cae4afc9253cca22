"""The back office: the staff workbench for officers, clerks and city operators."""
