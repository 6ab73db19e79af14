"""Mail: messages stored in an outbox table in the writer's transaction, delivered by SMTP after it commits."""
