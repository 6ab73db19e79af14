"""Inquiries (询价): a buyer's request for a quote to an enterprise, and the thread that follows."""
