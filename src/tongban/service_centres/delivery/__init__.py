"""Delivery of a case's paper result: the applicant's choice (pickup at a centre or post), the
agency marking it ready, dispatch with a tracking number, hand-over at the centre (ADR 0040)."""
