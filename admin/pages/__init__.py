"""The facilitators' pages, one module per area."""
