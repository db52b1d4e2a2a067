"""Cross-team tasks: work a case asks of another team, their queues per team, and telling the customer."""
