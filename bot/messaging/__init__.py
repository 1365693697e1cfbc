"""Messages in and out: the inbox, the outbox, rate limits, delivery reports, opt-out and
blocking, the webhooks and the simulators."""
